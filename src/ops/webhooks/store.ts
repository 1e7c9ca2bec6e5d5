// SQL of webhook endpoints.
import type { WebhookEndpointsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const insertWebhookEndpoint = async (db: Executor, row: WebhookEndpointsTable): Promise<void> => {
  await db.insertInto('webhook_endpoints').values(row).execute();
};

export const findWebhookEndpoint = (db: Executor, id: string): Promise<WebhookEndpointsTable | undefined> =>
  db.selectFrom('webhook_endpoints').selectAll().where('id', '=', id).executeTakeFirst();

export const listWebhookEndpoints = (
  db: Executor,
  filter: { after?: string | undefined; limit: number },
): Promise<WebhookEndpointsTable[]> => {
  let query = db.selectFrom('webhook_endpoints').selectAll();
  if (filter.after) query = query.where('id', '>', filter.after);
  return query.orderBy('id').limit(filter.limit).execute();
};

export const updateWebhookEndpointRow = async (
  db: Executor,
  id: string,
  patch: Partial<WebhookEndpointsTable>,
): Promise<void> => {
  await db.updateTable('webhook_endpoints').set(patch).where('id', '=', id).execute();
};

export const deleteWebhookEndpointRow = async (db: Executor, id: string): Promise<void> => {
  await db.deleteFrom('webhook_endpoints').where('id', '=', id).execute();
};
