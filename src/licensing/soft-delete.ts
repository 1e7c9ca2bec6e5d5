// Soft deletes (api.md): the row stays, lists drop it, reads answer 410 GONE; audited as `<type>.delete`.
import { recordAudit } from '../access/audit/service.js';
import type { Caller } from '../access/caller.js';
import type { Database } from '../db/connection.js';
import { type Executor, transaction } from '../db/transaction.js';
import type { Clock } from '../lib/clock.js';

export const softDelete = async (
  { db, clock }: { db: Database; clock: Clock },
  caller: Caller,
  target: { type: string; id: string },
  steps: {
    /** Loads the row the caller may see (404 / 410 otherwise). */
    load: (tx: Executor) => Promise<unknown>;
    mark: (tx: Executor, patch: { deleted_at: number; updated_at: number }) => Promise<void>;
  },
): Promise<void> => {
  await transaction(db, async (tx) => {
    await steps.load(tx);
    const now = clock.nowMs();
    await steps.mark(tx, { deleted_at: now, updated_at: now });
    await recordAudit(tx, clock, caller.audit, { action: `${target.type}.delete`, target });
  });
};
