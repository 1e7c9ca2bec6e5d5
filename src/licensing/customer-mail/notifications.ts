// GET /v1/licenses/{id}/notifications: the customer mail about a license (and the order that issued it), newest
// first, to a caller who sees the license. Apart from service.ts, which licensing domains call to queue mail: this
// reads the license through its domain, which queues mail itself (consumption), so one file would be a circle.
import type { Caller } from '../../access/caller.js';
import { type Page, readPage } from '../../db/pagination.js';
import type { Executor } from '../../db/transaction.js';
import { getLicenseRowOrThrow } from '../licenses/service.js';
import type { Notification } from './schemas.js';
import { toNotification } from './service.js';
import { customerMailsOfLicense } from './store.js';

export const licenseNotificationPage = async (
  db: Executor,
  caller: Caller,
  licenseId: string,
  query: { limit: number; cursor?: string | undefined },
): Promise<Page<Notification>> => {
  const license = await getLicenseRowOrThrow(db, caller.principal, licenseId);
  return readPage(
    query,
    (window) => customerMailsOfLicense(db, { id: license.id, orderId: license.order_id }, window),
    (rows) => rows.map(toNotification),
  );
};
