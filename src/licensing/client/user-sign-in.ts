// The Client API's face of license-user sign-in (README "Customers and the portal"). On a user-based product a
// client may send `{ email, password }` instead of `licenseKey`: before the body's schema is checked, the user is
// signed in and the body gets the key of the license they hold (and `userEmail`), so every call then runs exactly
// as a key-based one — one client code path, one set of checks. Also the two calls only users make: the licenses
// they hold, and the change of their own password.
import type { AuditContext } from '../../access/audit/service.js';
import { AppError } from '../../errors/app-error.js';
import { licenseKeyOf, licensesForHolder } from '../licenses/service.js';
import { activeMachineOf } from '../machines/service.js';
import { findReferencedProduct } from '../products/service.js';
import type { UserLicenseRow } from '../users/sign-in.js';
import {
  changeOwnPassword,
  licensesHeldBy,
  type PasswordChecks,
  signInLicenseUser,
} from '../users/sign-in.js';
import type { ClientDeps } from './checks.js';

export type UserSignInDeps = ClientDeps & { passwords: PasswordChecks };

/** The product a body names by code, as sign-in needs it; a code that is no product holds nothing of a user's. */
const namedProduct = async (deps: UserSignInDeps, productCode: unknown) => {
  if (typeof productCode !== 'string' || productCode === '') return undefined;
  const product = await findReferencedProduct(deps.db.kysely, productCode);
  return { code: productCode, licenseModel: product?.license_model ?? 'user' };
};

const signIn = async (
  deps: UserSignInDeps,
  context: AuditContext,
  body: { email: string; password: string; productCode?: unknown },
) => {
  const user = await signInLicenseUser(deps, context, body);
  const held = await licensesHeldBy(deps, user, await namedProduct(deps, body.productCode));
  return { user, held };
};

/** Of the licenses a user holds of one product, the one a call runs with: a usable one first, then the oldest. */
const chooseLicense = (held: UserLicenseRow[], nowMs: number): UserLicenseRow | undefined => {
  const usable = (row: UserLicenseRow) =>
    row.license_status === 'active' && (row.license_expires_at === null || row.license_expires_at > nowMs);
  return held.find(usable) ?? held[0];
};

/** Whether a Client API body signs in by email and password (and carries no license key). */
export const signsInByPassword = (
  body: unknown,
): body is Record<string, unknown> & { email: string; password: string } =>
  typeof body === 'object' &&
  body !== null &&
  (body as { licenseKey?: unknown }).licenseKey === undefined &&
  typeof (body as { email?: unknown }).email === 'string' &&
  typeof (body as { password?: unknown }).password === 'string';

/** Run before the body's schema: a body signing in by email and password gets the key of the user's license. */
export const signInBody = async (
  deps: UserSignInDeps,
  context: AuditContext,
  body: Record<string, unknown> & { email: string; password: string },
): Promise<void> => {
  const { user, held } = await signIn(deps, context, {
    email: body.email,
    password: body.password,
    productCode: body.productCode,
  });
  const products = new Set(held.map((row) => row.product_code));
  if (products.size > 1)
    throw new AppError('VALIDATION_ERROR', `${user.email} holds licenses of several products: name one`, {
      issues: [
        { path: ['productCode'], message: `one of ${[...products].sort().join(', ')}`, code: 'custom' },
      ],
    });
  const chosen = chooseLicense(held, deps.clock.nowMs());
  const key = chosen && (await licenseKeyOf(deps, chosen.license_id));
  if (!chosen || !key) throw new AppError('USER_NOT_ASSIGNED_TO_PRODUCT', `${user.email} holds no license`);
  // A signed-in user acts on their own devices only: a fingerprint another user of the license activated is not
  // theirs to validate, heartbeat, deactivate or take over.
  if (typeof body.fingerprint === 'string') {
    const machine = await activeMachineOf(deps.db.kysely, chosen.license_id, body.fingerprint);
    if (machine && machine.user_id !== user.id)
      throw new AppError(
        'MACHINE_NOT_ACTIVATED',
        `No device of ${user.email} with fingerprint ${body.fingerprint} on license ${chosen.license_id}`,
      );
  }
  body.licenseKey = key;
  body.userEmail = user.email;
  Reflect.deleteProperty(body, 'password');
};

/** POST /v1/client/user-licenses: the licenses a user holds (of one product, when named). */
export const userLicenses = async (
  deps: UserSignInDeps,
  context: AuditContext,
  body: { email: string; password: string; productCode?: string | undefined },
) => {
  const { held } = await signIn(deps, context, body);
  const licenses = await licensesForHolder(
    deps,
    held.map((row) => row.license_id),
  );
  const codes = new Map(held.map((row) => [row.license_id, row.product_code]));
  return { data: licenses.map((license) => ({ productCode: codes.get(license.id) ?? '', license })) };
};

/** POST /v1/client/change-password. */
export const changePassword = (
  deps: UserSignInDeps,
  context: AuditContext,
  body: { email: string; password: string; newPassword: string },
) => changeOwnPassword(deps, context, body);
