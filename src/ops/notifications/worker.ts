// The mail worker: claims due mail from the queue and sends it through SMTP (nodemailer). A failed send is logged,
// handed to `failed` (main wires it to the incident's timeline, with the catalog's NOTIFICATION_FAILED) in the
// transaction that records it, and retried on the outbound schedule (8 attempts over about a day) before it is
// given up — never dropped in silence. Claims lapse, so a process that died mid-send leaves its mail to another.
// Customer mail (licensing/customer-mail) rides the same queue: its text and HTML are sealed at rest, opened here
// to send, and emptied once the mail is sent or given up (they hold license keys and invitation links).
import nodemailer from 'nodemailer';
import type { Config } from '../../config.js';
import type { Database } from '../../db/connection.js';
import type { MailOutboxTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { background } from '../../lib/background.js';
import type { Clock } from '../../lib/clock.js';
import { randomUnit } from '../../lib/random.js';
import { maxDeliveryAttempts, retryDelayMs } from '../../lib/retry-schedule.js';
import type { Sealer } from '../../lib/sealing.js';
import type { MailFailure } from './service.js';
import { claimDueMails, updateMailRow } from './store.js';

export interface MailWorkerDeps {
  db: Database;
  clock: Clock;
  mail: Config['mail'];
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
  /** Opens sealed mail (customer mail); without it such mail fails, and is retried. */
  sealer?: Sealer;
  /** Jitter draws (tests fix it). */
  draw?: () => number;
  /** Told of each failed send, in the transaction that records it: what it concerns, the attempt, the message. */
  failed?: (tx: Executor, mail: MailOutboxTable, failure: MailFailure) => Promise<unknown>;
}

/** A claim holds a mail this long: an SMTP exchange and a margin. */
const claimMs = 60_000;
const batch = 20;

/** What a settled mail keeps of its content: sealed content goes (the subject and what it concerns stay). */
const settledContent = (mail: MailOutboxTable): Partial<MailOutboxTable> =>
  mail.sealed === 1 ? { body: '', html: null } : {};

export const createMailWorker = (deps: MailWorkerDeps, options: { intervalMs: number }) => {
  const { smtpUrl, from } = deps.mail;
  const transport = smtpUrl ? nodemailer.createTransport(smtpUrl) : undefined;

  const settleFailure = async (mail: MailOutboxTable, error: unknown) => {
    const nowMs = deps.clock.nowMs();
    const attempts = mail.attempts + 1;
    const message = error instanceof Error ? error.message : String(error);
    const failed = attempts >= maxDeliveryAttempts;
    await transaction(deps.db, async (tx) => {
      await updateMailRow(tx, mail.id, {
        status: failed ? 'failed' : 'pending',
        attempts,
        last_error: message.slice(0, 500),
        next_attempt_at: failed ? nowMs : nowMs + retryDelayMs(attempts, (deps.draw ?? randomUnit)()),
        claimed_until: null,
        updated_at: nowMs,
        ...(failed ? settledContent(mail) : {}),
      });
      await deps.failed?.(tx, mail, { attempt: attempts, of: maxDeliveryAttempts, givenUp: failed, message });
    });
    deps.log.warn(
      { mailId: mail.id, attempts, code: 'NOTIFICATION_FAILED', err: error },
      failed ? 'notification mail given up' : 'notification mail failed; retrying',
    );
  };

  const open = (content: string) => {
    if (!deps.sealer) throw new Error('sealed mail and no secret key to open it');
    return deps.sealer.open(content).toString('utf8');
  };

  const send = async (mail: MailOutboxTable) => {
    if (!transport) return;
    try {
      const html = mail.html === null ? undefined : mail.sealed === 1 ? open(mail.html) : mail.html;
      await transport.sendMail({
        from,
        to: JSON.parse(mail.recipients) as string[],
        subject: mail.subject,
        text: mail.sealed === 1 ? open(mail.body) : mail.body,
        ...(html === undefined ? {} : { html }),
      });
    } catch (error) {
      await settleFailure(mail, error);
      return;
    }
    const nowMs = deps.clock.nowMs();
    await updateMailRow(deps.db.kysely, mail.id, {
      status: 'sent',
      attempts: mail.attempts + 1,
      sent_at: nowMs,
      claimed_until: null,
      last_error: null,
      updated_at: nowMs,
      ...settledContent(mail),
    });
    deps.log.info({ mailId: mail.id }, 'notification mail sent');
  };

  /** Sends every mail due now; answers how many it tried. */
  const runOnce = async (): Promise<number> => {
    if (!transport) return 0;
    let tried = 0;
    for (;;) {
      const nowMs = deps.clock.nowMs();
      const due = await transaction(deps.db, (tx) =>
        claimDueMails(tx, deps.db.dialect, { nowMs, limit: batch, until: nowMs + claimMs }),
      );
      for (const mail of due) await send(mail);
      tried += due.length;
      if (due.length < batch) return tried;
    }
  };

  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> = Promise.resolve();
  return {
    runOnce,
    start: () => {
      if (!transport) return;
      timer = setInterval(() => {
        running = running
          .then(() => background('mail', runOnce))
          .catch((error: unknown) =>
            deps.log.warn({ err: error }, 'mail pass failed; retrying next interval'),
          );
      }, options.intervalMs);
      timer.unref();
    },
    stop: async () => {
      if (timer) clearInterval(timer);
      await running;
      transport?.close();
    },
  };
};
