// The webhook worker of one process: every interval it fans the outbox out, then `senders` slots each claim and
// send one due delivery at a time until none is due, so a slow endpoint holds one slot, not the batch. It also
// prunes events (with their deliveries) older than the retention once everything about them is finished.
import { transaction } from '../../db/transaction.js';
import { background } from '../../lib/background.js';
import { yieldToEventLoop } from '../../lib/yield.js';
import {
  attemptDelivery,
  claimDeliveries,
  type DeliveryDeps,
  fanOutEvents,
  newClaimToken,
} from './outbox.js';
import { pruneDeliveredEvents } from './store.js';

export interface WebhookWorkerOptions {
  /** Deliveries this process sends at once; 0: it sends none (another process does). */
  senders: number;
  intervalMs: number;
  retentionMs: number;
}

const pruneEveryMs = 3600 * 1000;
/** Events fanned out per transaction: 500 held the event loop ~20 ms on SQLite under a burst of activations. */
const fanOutBatch = 200;

export const createWebhookWorker = (deps: DeliveryDeps, options: WebhookWorkerOptions) => {
  let stopped = false;
  let lastPruneAt = Number.NEGATIVE_INFINITY;

  const senderSlot = async (): Promise<number> => {
    let sent = 0;
    while (!stopped) {
      const token = newClaimToken();
      const [delivery] = await claimDeliveries(deps, 1, token);
      if (!delivery) break;
      await attemptDelivery(deps, delivery, token, { automatic: true });
      sent += 1;
    }
    return sent;
  };

  const prune = async () => {
    const nowMs = deps.clock.nowMs();
    if (nowMs - lastPruneAt < pruneEveryMs) return;
    lastPruneAt = nowMs;
    let removed = 0;
    for (;;) {
      const batch = await transaction(deps.db, (tx) =>
        pruneDeliveredEvents(tx, nowMs - options.retentionMs, 500),
      );
      removed += batch;
      if (batch < 500 || stopped) break;
      await yieldToEventLoop();
    }
    if (removed > 0) deps.log.info({ removed }, 'pruned delivered events past retention');
  };

  /** One pass: fan out every waiting event, send every due delivery. Answers what it did. */
  const runOnce = async (): Promise<{ fannedOut: number; sent: number }> => {
    let fannedOut = 0;
    for (;;) {
      const taken = await fanOutEvents(deps, fanOutBatch);
      fannedOut += taken;
      if (taken < fanOutBatch || stopped) break;
      // Requests go first between batches: on SQLite a batch holds the event loop while it runs.
      await yieldToEventLoop();
    }
    const sent = (await Promise.all(Array.from({ length: options.senders }, () => senderSlot()))).reduce(
      (sum, count) => sum + count,
      0,
    );
    await prune();
    return { fannedOut, sent };
  };

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = background('webhooks', runOnce)
        .catch((error: unknown) => {
          deps.log.warn({ err: error }, 'webhook worker pass failed; retrying next interval');
        })
        .finally(schedule);
    }, options.intervalMs);
    timer.unref();
  };

  return {
    runOnce,
    start: () => {
      if (options.senders > 0) schedule();
    },
    /** Stops taking work and waits for the deliveries in flight (each ends within its 10 s limit). */
    stop: async () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
  };
};
