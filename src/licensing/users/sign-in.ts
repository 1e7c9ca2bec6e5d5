// How a license user proves who they are: email and password, throttled as operators' sign-in is (five failures
// of one email from one address in 15 minutes lock that pair), with the same scrypt KDF. The Client API and the
// portal both sign in here; the licenses a signed-in user holds, and the change of their own password, too.
import { createHmac } from 'node:crypto';
import type { AuditContext } from '../../access/audit/service.js';
import { recordAudit } from '../../access/audit/service.js';
import { refuseWhileSignInLocked } from '../../access/sessions/service.js';
import type { Database } from '../../db/connection.js';
import type { UsersTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { secureRandomBytes } from '../../lib/random.js';
import { hashPassword, unmatchableHash, verifyPassword } from '../../lib/secrets.js';
import { bundleMembersOf } from '../products/service.js';
import {
  deleteUserSessions,
  findLiveUserByEmail,
  licensesOfUser,
  type UserLicenseRow,
  updateUserRow,
} from './store.js';

export type { UserLicenseRow };

export interface SignInDeps {
  db: Database;
  clock: Clock;
  /** Remembers passwords lately verified (createPasswordChecks). */
  passwords: PasswordChecks;
}

export interface PasswordChecks {
  verify(user: Pick<UsersTable, 'id' | 'password_hash'>, password: string): Promise<boolean>;
}

/**
 * A client that signs in by password on every Client API call would pay a scrypt hash (tens of milliseconds of
 * CPU) each time: a process remembers, for `ttlMs`, an HMAC under a key of its own of (user, stored hash,
 * password) it verified. A new password changes the stored hash, so the old one is not remembered; nothing
 * remembered leaves the process or survives it.
 */
export const createPasswordChecks = (
  clock: Clock,
  options: { ttlMs: number; max: number } = { ttlMs: 10 * 60_000, max: 10_000 },
): PasswordChecks => {
  const key = secureRandomBytes(32);
  const verified = new Map<string, number>();
  return {
    async verify(user, password) {
      if (user.password_hash === null) {
        await verifyPassword(password, await unmatchableHash());
        return false;
      }
      const tag = createHmac('sha256', key)
        .update(`${user.id}\n${user.password_hash}\n`)
        .update(password)
        .digest('base64url');
      const until = verified.get(tag);
      if (until !== undefined && until > clock.nowMs()) return true;
      const matches = await verifyPassword(password, user.password_hash);
      if (matches) {
        verified.delete(tag);
        if (verified.size >= options.max) {
          const oldest = verified.keys().next();
          if (!oldest.done) verified.delete(oldest.value);
        }
        verified.set(tag, clock.nowMs() + options.ttlMs);
      }
      return matches;
    },
  };
};

const failedAction = 'user.login_failed';

/**
 * The active user with this email and password. Wrong email or password: INVALID_CREDENTIALS (both take as
 * long), audited for the throttle; a disabled user: ACCOUNT_DISABLED, once the password is right.
 */
export const signInLicenseUser = async (
  deps: SignInDeps,
  context: AuditContext,
  credentials: { email: string; password: string },
): Promise<UsersTable> => {
  const { db, clock } = deps;
  const email = credentials.email.trim().toLowerCase();
  await refuseWhileSignInLocked(db, clock, { failedAction, email, ip: context.ip });
  const user = await findLiveUserByEmail(db.kysely, email);
  const matches = await deps.passwords.verify(
    user ?? { id: '', password_hash: await unmatchableHash() },
    credentials.password,
  );
  if (!user || !matches) {
    await recordAudit(db.kysely, clock, context, {
      action: failedAction,
      target: { type: 'login', id: email },
    });
    throw new AppError('INVALID_CREDENTIALS', 'The email or the password is wrong');
  }
  if (user.status === 'disabled') throw new AppError('ACCOUNT_DISABLED', `User ${user.email} is disabled`);
  return user;
};

/**
 * The licenses a user holds, of user-based products only, optionally of one product (by code): a license of that
 * product, or of a bundle that has it as a member. A product named that the user holds nothing of answers
 * INVALID_PRODUCT_AUTH_METHOD when it is key-based, else USER_NOT_ASSIGNED_TO_PRODUCT.
 */
export const licensesHeldBy = async (
  deps: Pick<SignInDeps, 'db'>,
  user: UsersTable,
  product: { code: string; licenseModel: string } | undefined,
): Promise<UserLicenseRow[]> => {
  const db = deps.db.kysely;
  const all = (await licensesOfUser(db, user.id)).filter((row) => row.license_model === 'user');
  if (!product) return all;
  const held: UserLicenseRow[] = [];
  for (const row of all) {
    const covers =
      row.product_code === product.code ||
      (row.product_kind === 'bundle' &&
        ((await bundleMembersOf(db, { id: row.product_id, kind: 'bundle' })) ?? []).some(
          (member) => member.code === product.code,
        ));
    if (covers) held.push(row);
  }
  if (held.length > 0) return held;
  if (product.licenseModel !== 'user')
    throw new AppError(
      'INVALID_PRODUCT_AUTH_METHOD',
      `Product ${product.code} is licensed by key: send the licenseKey, not an email and password`,
    );
  throw new AppError(
    'USER_NOT_ASSIGNED_TO_PRODUCT',
    `${user.email} holds no license of product ${product.code}`,
    {
      productCode: product.code,
    },
  );
};

/**
 * A signed-in user changes their own password. Refused with CHANGE_PASSWORD_NOT_ALLOWED when the policy of any
 * license they hold forbids it (allowPasswordChange: false): a vendor that manages a user's password keeps it.
 * Ends the user's portal sessions.
 */
export const changeOwnPassword = async (
  deps: SignInDeps,
  context: AuditContext,
  input: { email: string; password: string; newPassword: string },
): Promise<void> => {
  const user = await signInLicenseUser(deps, context, input);
  const forbidding = (await licensesOfUser(deps.db.kysely, user.id)).find(
    (row) => row.allow_password_change === 0,
  );
  if (forbidding)
    throw new AppError(
      'CHANGE_PASSWORD_NOT_ALLOWED',
      `The policy of license ${forbidding.license_id} does not let its users change their password`,
      { licenseId: forbidding.license_id },
    );
  const passwordHash = await hashPassword(input.newPassword);
  await transaction(deps.db, (tx) =>
    storeOwnPassword(tx, deps.clock, context, user, passwordHash, 'user.password_change'),
  );
};

/**
 * Inside the caller's transaction: a password a user set themselves (a change, an accepted invitation) replaces
 * theirs, their portal sessions end, and the audit trail says so (never the password).
 */
export const storeOwnPassword = async (
  tx: Executor,
  clock: Clock,
  context: AuditContext,
  user: UsersTable,
  passwordHash: string,
  action: string,
): Promise<void> => {
  const nowMs = clock.nowMs();
  await updateUserRow(tx, user.id, {
    password_hash: passwordHash,
    password_changed_at: nowMs,
    updated_at: nowMs,
  });
  await deleteUserSessions(tx, user.id);
  await recordAudit(
    tx,
    clock,
    { ...context, actor: licenseUserActor(user) },
    {
      action,
      target: { type: 'user', id: user.id },
      changes: { password: [user.password_hash ? '(set)' : null, '(set)'] },
    },
  );
};

/** The audit actor of a license user acting for themselves (the Client API, the portal). */
export const licenseUserActor = (user: Pick<UsersTable, 'id' | 'email'>): AuditContext['actor'] => ({
  type: 'license_user',
  id: user.id,
  name: user.email,
});
