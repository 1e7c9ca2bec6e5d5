// SQL of store integrations: the ledger of applied inbound events and the licenses each subscription issued.
import type { InboundEventsTable, LicenseSubscriptionsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';

export const findInboundEvent = (
  db: Executor,
  provider: string,
  eventId: string,
): Promise<InboundEventsTable | undefined> =>
  db
    .selectFrom('inbound_events')
    .selectAll()
    .where('provider', '=', provider)
    .where('event_id', '=', eventId)
    .executeTakeFirst();

export const insertInboundEvent = async (db: Executor, row: InboundEventsTable): Promise<void> => {
  await db.insertInto('inbound_events').values(row).execute();
};

/** What applying a claimed event did, written in the claim's transaction. */
export const recordInboundOutcome = async (
  db: Executor,
  provider: string,
  eventId: string,
  outcome: string,
): Promise<void> => {
  await db
    .updateTable('inbound_events')
    .set({ outcome })
    .where('provider', '=', provider)
    .where('event_id', '=', eventId)
    .execute();
};

export const linkSubscription = async (db: Executor, row: LicenseSubscriptionsTable): Promise<void> => {
  await db
    .insertInto('license_subscriptions')
    .values(row)
    .onConflict((conflict) => conflict.columns(['provider', 'subscription_id', 'license_id']).doNothing())
    .execute();
};

export const licensesOfSubscription = async (
  db: Executor,
  provider: string,
  subscriptionId: string,
): Promise<string[]> =>
  (
    await db
      .selectFrom('license_subscriptions')
      .select('license_id')
      .where('provider', '=', provider)
      .where('subscription_id', '=', subscriptionId)
      .orderBy('license_id')
      .execute()
  ).map((row) => row.license_id);
