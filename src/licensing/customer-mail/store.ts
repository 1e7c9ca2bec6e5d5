// SQL of customer mail: its rows in the mail queue (mail_outbox, sent by ops/notifications' worker), read by what
// they concern, and the recipient of a license's mail (its live customer) with what the mail names.
import type { PageWindow } from '../../db/pagination.js';
import type { MailOutboxTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

/** Queues a mail; answers false when one with its dedupe key is queued already (nothing written). */
export const insertCustomerMail = async (db: Executor, row: MailOutboxTable): Promise<boolean> => {
  const [result] = await db
    .insertInto('mail_outbox')
    .values(row)
    .onConflict((conflict) => conflict.column('dedupe_key').doNothing())
    .execute();
  return Number(result?.numInsertedOrUpdatedRows ?? 0) > 0;
};

/** A license, its product's name and its customer when live (no customer, or a deleted one: email null). */
export const findLicenseRecipient = (db: Executor, licenseId: string) =>
  db
    .selectFrom('licenses')
    .innerJoin('products', 'products.id', 'licenses.product_id')
    .leftJoin('customers', (join) =>
      join.onRef('customers.id', '=', 'licenses.customer_id').on('customers.deleted_at', 'is', null),
    )
    .select([
      'licenses.id',
      'licenses.key_prefix',
      'licenses.expires_at',
      'products.name as product_name',
      'customers.email',
      'customers.name as customer_name',
    ])
    .where('licenses.id', '=', licenseId)
    .where('licenses.deleted_at', 'is', null)
    .executeTakeFirst();

/** The customer mail about an order, oldest first. */
export const customerMailsOfOrder = (db: Executor, orderId: string) =>
  db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('order_id', '=', orderId)
    .where('kind', 'is not', null)
    .orderBy('id')
    .execute();

/** The customer mail about a license (or the order that issued it), newest first, one window of a page. */
export const customerMailsOfLicense = (
  db: Executor,
  license: { id: string; orderId: string | null },
  window: PageWindow,
) => {
  let query = db
    .selectFrom('mail_outbox')
    .selectAll()
    .where('kind', 'is not', null)
    .where((eb) =>
      license.orderId === null
        ? eb('license_id', '=', license.id)
        : eb.or([eb('license_id', '=', license.id), eb('order_id', '=', license.orderId)]),
    );
  if (window.after !== undefined) query = query.where('id', '<', window.after);
  return query.orderBy('id', 'desc').limit(window.limit).execute();
};
