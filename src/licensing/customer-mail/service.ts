// Customer mail: what Charter tells a customer (a license issued by an order, a trial started, a license expiring
// soon, a license user invited, a consumption limit reached), each kind off unless CHARTER_CUSTOMER_MAIL lists it.
// A mail is queued in the transaction of what it tells (a rollback takes it back), its text and HTML sealed (they
// hold license keys and invitation links), and sent, retried and given up by ops/notifications' worker; its state is
// answered on the order and the license (notifications.ts).
import type { CustomerMailKind } from '../../config.js';
import type { LicensesTable, MailOutboxTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import { isoOrNull } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { Sealer } from '../../lib/sealing.js';
import type { Notification } from './schemas.js';
import { customerMailsOfOrder, findLicenseRecipient, insertCustomerMail } from './store.js';
import { renderCustomerMail, type TemplateData } from './templates.js';

export interface CustomerMailDeps {
  clock: Clock;
  sealer: Sealer;
  /** The kinds turned on (config.customerMail); absent or empty: no customer mail. */
  customerMail?: readonly CustomerMailKind[] | undefined;
}

interface Concerns {
  orderId?: string | null | undefined;
  licenseId?: string | null | undefined;
  userId?: string | null | undefined;
}

const isOn = (deps: CustomerMailDeps, kind: CustomerMailKind) => deps.customerMail?.includes(kind) === true;

/** Renders and queues one mail; answers whether it queued it (false: a mail with its dedupe key exists). */
const queue = async <Kind extends CustomerMailKind>(
  deps: CustomerMailDeps,
  tx: Executor,
  mail: { kind: Kind; to: string; data: TemplateData[Kind]; concerns: Concerns; dedupeKey?: string },
): Promise<boolean> => {
  const rendered = renderCustomerMail(mail.kind, mail.data);
  const nowMs = deps.clock.nowMs();
  const row: MailOutboxTable = {
    id: newId('mail', nowMs),
    recipients: JSON.stringify([mail.to]),
    subject: rendered.subject,
    body: deps.sealer.seal(rendered.text),
    html: deps.sealer.seal(rendered.html),
    sealed: 1,
    kind: mail.kind,
    order_id: mail.concerns.orderId ?? null,
    license_id: mail.concerns.licenseId ?? null,
    user_id: mail.concerns.userId ?? null,
    dedupe_key: mail.dedupeKey ?? null,
    incident_id: null,
    action_id: null,
    status: 'pending',
    attempts: 0,
    next_attempt_at: nowMs,
    claimed_until: null,
    last_error: null,
    sent_at: null,
    created_at: nowMs,
    updated_at: nowMs,
  };
  return insertCustomerMail(tx, row);
};

/**
 * license_issued: one mail per order to its customer, with every license key it issued (the order's transaction).
 */
export const notifyLicensesIssued = async (
  deps: CustomerMailDeps,
  tx: Executor,
  order: {
    id: string;
    externalId: string;
    customer: { email: string; name: string };
    licenses: { row: LicensesTable; productName: string; policyName: string }[];
  },
): Promise<boolean> => {
  if (!isOn(deps, 'license_issued') || order.licenses.length === 0) return false;
  return queue(deps, tx, {
    kind: 'license_issued',
    to: order.customer.email,
    data: {
      customerName: order.customer.name,
      externalId: order.externalId,
      licenses: order.licenses.map(({ row, productName, policyName }) => ({
        key: deps.sealer.open(row.key_sealed).toString('utf8'),
        productName,
        policyName,
        expiresAt: row.expires_at,
      })),
    },
    concerns: { orderId: order.id },
    dedupeKey: `license_issued:${order.id}`,
  });
};

/** trial_started: to the email the trial request gave (a trial has no customer; without an email, no mail). */
export const notifyTrialStarted = async (
  deps: CustomerMailDeps,
  tx: Executor,
  trial: { email: string | null; license: LicensesTable; key: string; productName: string },
): Promise<boolean> => {
  if (!isOn(deps, 'trial_started') || trial.email === null) return false;
  return queue(deps, tx, {
    kind: 'trial_started',
    to: trial.email,
    data: { productName: trial.productName, key: trial.key, expiresAt: trial.license.expires_at },
    concerns: { licenseId: trial.license.id },
    dedupeKey: `trial_started:${trial.license.id}`,
  });
};

/** license_expiring: to the license's customer, once per license and end (a renewal's new end mails again). */
export const notifyLicenseExpiring = async (
  deps: CustomerMailDeps,
  tx: Executor,
  license: Pick<LicensesTable, 'id' | 'expires_at'>,
): Promise<boolean> => {
  if (!isOn(deps, 'license_expiring') || license.expires_at === null) return false;
  const recipient = await findLicenseRecipient(tx, license.id);
  if (!recipient?.email) return false;
  return queue(deps, tx, {
    kind: 'license_expiring',
    to: recipient.email,
    data: {
      customerName: recipient.customer_name ?? '',
      productName: recipient.product_name,
      keyPrefix: recipient.key_prefix,
      expiresAt: license.expires_at,
    },
    concerns: { licenseId: license.id },
    dedupeKey: `license_expiring:${license.id}:${license.expires_at}`,
  });
};

/** consumption_limit: to the license's customer, once per meter and period. */
export const notifyConsumptionLimit = async (
  deps: CustomerMailDeps,
  tx: Executor,
  reached: {
    licenseId: string;
    feature: string | null;
    used: number;
    max: number;
    periodStartsAt: number;
    resetsAt: number | null;
  },
): Promise<boolean> => {
  if (!isOn(deps, 'consumption_limit')) return false;
  const recipient = await findLicenseRecipient(tx, reached.licenseId);
  if (!recipient?.email) return false;
  return queue(deps, tx, {
    kind: 'consumption_limit',
    to: recipient.email,
    data: {
      customerName: recipient.customer_name ?? '',
      productName: recipient.product_name,
      keyPrefix: recipient.key_prefix,
      feature: reached.feature,
      used: reached.used,
      max: reached.max,
      resetsAt: reached.resetsAt,
    },
    concerns: { licenseId: reached.licenseId },
    dedupeKey: `consumption_limit:${reached.licenseId}:${reached.feature ?? ''}:${reached.periodStartsAt}`,
  });
};

export interface UserInvitation {
  /** The invited user's address. */
  to: string;
  /** The link that sets the password: it holds the invitation's secret, so it is sealed and never logged. */
  inviteUrl: string;
  /** When the link stops working (epoch ms). */
  expiresAt: number;
  userId?: string | undefined;
  licenseId?: string | undefined;
  productName?: string | undefined;
  customerName?: string | undefined;
}

/**
 * user_invited: the invitation of a license user (called in the invitation's transaction); answers whether it
 * queued the mail (false: the kind is off). Every call queues one: a new invitation mails again.
 */
export const notifyUserInvited = async (
  deps: CustomerMailDeps,
  tx: Executor,
  invitation: UserInvitation,
): Promise<boolean> => {
  if (!isOn(deps, 'user_invited')) return false;
  const url = new URL(invitation.inviteUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`An invitation link is an http(s) URL, not ${url.protocol}`);
  return queue(deps, tx, {
    kind: 'user_invited',
    to: invitation.to,
    data: {
      inviteUrl: url.href,
      expiresAt: invitation.expiresAt,
      productName: invitation.productName,
      customerName: invitation.customerName,
    },
    concerns: { userId: invitation.userId, licenseId: invitation.licenseId },
  });
};

/** A queued customer mail as the API answers it (never its content). */
export const toNotification = (row: MailOutboxTable): Notification => ({
  id: row.id,
  kind: row.kind as CustomerMailKind,
  to: (JSON.parse(row.recipients) as string[])[0] ?? '',
  subject: row.subject,
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error,
  code: row.status === 'failed' ? 'NOTIFICATION_FAILED' : null,
  nextAttemptAt: row.status === 'pending' ? isoOrNull(row.next_attempt_at) : null,
  sentAt: isoOrNull(row.sent_at),
  createdAt: new Date(row.created_at).toISOString(),
});

/** The customer mail about an order, oldest first (GET /v1/orders/{id} answers it as `notifications`). */
export const orderNotifications = async (db: Executor, orderId: string): Promise<Notification[]> =>
  (await customerMailsOfOrder(db, orderId)).map(toNotification);
