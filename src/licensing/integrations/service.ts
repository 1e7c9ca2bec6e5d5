// Inbound store webhooks, applied once each: an event id already in the ledger is acknowledged with what it did
// the first time, and not applied again. The ledger row is claimed first in the transaction that applies the
// event, so a failure leaves no trace and the sender's retry applies it, and two deliveries of one event at once
// apply it once: the second one's claim waits on the first's key (PostgreSQL) or its turn (SQLite), is refused
// once the first commits, and the second answers as a replay without having done any of the work.
import { systemAuditContext } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { CustomerMailKind } from '../../config.js';
import type { Database } from '../../db/connection.js';
import { isUniqueViolation } from '../../db/errors.js';
import { type Executor, transaction } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import { findInboundEvent, insertInboundEvent, recordInboundOutcome } from './store.js';

export interface IntegrationDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
  /** The customer mail turned on: an order from a store mails its licenses as POST /v1/orders does. */
  customerMail?: readonly CustomerMailKind[] | undefined;
}

/** What applying an event did, kept so a replay answers the same. */
export interface InboundOutcome {
  applied: boolean;
  orderId?: string;
  licenseIds?: string[];
  note?: string;
}

export interface InboundAnswer extends InboundOutcome {
  received: true;
  replayed: boolean;
  eventId: string;
  type: string;
}

/** The caller a provider's changes are made and audited as: full access, named after the provider. */
export const integrationCaller = (provider: string): Caller => ({
  principal: undefined,
  audit: systemAuditContext(`${provider} webhook`),
});

const replay = (event: { event_id: string; type: string; outcome: string }): InboundAnswer => ({
  received: true,
  replayed: true,
  eventId: event.event_id,
  type: event.type,
  ...(JSON.parse(event.outcome) as InboundOutcome),
});

export const receiveOnce = async (
  deps: IntegrationDeps,
  event: { provider: string; id: string; type: string },
  apply: (tx: Executor) => Promise<InboundOutcome>,
): Promise<InboundAnswer> => {
  for (let attempt = 1; ; attempt++) {
    const seen = await findInboundEvent(deps.db.kysely, event.provider, event.id);
    if (seen) return replay(seen);
    try {
      const outcome = await transaction(deps.db, async (tx) => {
        await insertInboundEvent(tx, {
          provider: event.provider,
          event_id: event.id,
          type: event.type,
          received_at: deps.clock.nowMs(),
          outcome: '{}',
        });
        const result = await apply(tx);
        await recordInboundOutcome(tx, event.provider, event.id, JSON.stringify(result));
        return result;
      });
      return { received: true, replayed: false, eventId: event.id, type: event.type, ...outcome };
    } catch (error) {
      // Another delivery of this event won (the loop answers it as a replay), or another change took a unique
      // value this one needed (a new customer's email): the next try finds it.
      if (!isUniqueViolation(error) || attempt === 3) throw error;
    }
  }
};
