// SQL of trials: which device and which email had one, per product.
import type { TrialsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const findPriorTrial = (db: Executor, productId: string, fingerprint: string, email: string | null) =>
  db
    .selectFrom('trials')
    .select('id')
    .where('product_id', '=', productId)
    .where((eb) =>
      email === null
        ? eb('fingerprint', '=', fingerprint)
        : eb.or([eb('fingerprint', '=', fingerprint), eb('email', '=', email)]),
    )
    .executeTakeFirst();

export const insertTrial = async (db: Executor, row: TrialsTable): Promise<void> => {
  await db.insertInto('trials').values(row).execute();
};
