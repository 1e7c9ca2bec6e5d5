// License users' portal sessions: sign-in by email and password (users/sign-in.ts: the operators' throttle and
// KDF), a server-side session with the operators' idle and absolute lifetimes, and the CSRF token bound to it.
// Separate from operator sessions: its own cookie and table, and it never grants a Management scope.
import type { AuditContext } from '../../access/audit/service.js';
import { recordAudit } from '../../access/audit/service.js';
import { csrfTokenFor, type SessionSettings } from '../../access/sessions/service.js';
import type { UsersTable } from '../../db/schema.js';
import { transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import { newId } from '../../lib/random.js';
import { newSecret, sha256Hex } from '../../lib/secrets.js';
import { licenseUserActor, type SignInDeps, signInLicenseUser } from './sign-in.js';
import {
  deleteUserSession,
  findUser,
  findUserSession,
  insertUserSession,
  touchUserSession,
} from './store.js';

export type PortalSessionDeps = SignInDeps & { session: SessionSettings };

export interface PortalSession {
  id: string;
  user: UsersTable;
  csrfToken: string;
  expiresAt: number;
}

const tokenPattern = /^[A-Za-z0-9_-]{43}$/;
const touchEveryMs = 60_000;

export const portalLogin = async (
  deps: PortalSessionDeps,
  context: AuditContext,
  credentials: { email: string; password: string },
): Promise<PortalSession & { token: string }> => {
  const user = await signInLicenseUser(deps, context, credentials);
  const now = deps.clock.nowMs();
  const token = newSecret('');
  const id = newId('psn', now);
  const expiresAt = now + deps.session.maxSeconds * 1000;
  await transaction(deps.db, async (tx) => {
    await insertUserSession(tx, {
      id,
      token_hash: sha256Hex(token),
      user_id: user.id,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    });
    await recordAudit(
      tx,
      deps.clock,
      { ...context, actor: licenseUserActor(user) },
      {
        action: 'user.login',
        target: { type: 'user', id: user.id },
      },
    );
  });
  return {
    id,
    token,
    user,
    csrfToken: csrfTokenFor(token),
    expiresAt: Math.min(expiresAt, now + deps.session.idleSeconds * 1000),
  };
};

/** The session behind a portal cookie: unknown → AUTH_INVALID, past a lifetime → SESSION_EXPIRED. */
export const authenticatePortalSession = async (
  deps: PortalSessionDeps,
  token: string,
): Promise<PortalSession> => {
  if (!tokenPattern.test(token)) throw new AppError('AUTH_INVALID', 'The portal session cookie is malformed');
  const db = deps.db.kysely;
  const session = await findUserSession(db, sha256Hex(token));
  const user = session ? await findUser(db, session.user_id) : undefined;
  if (!session || !user || user.deleted_at !== null)
    throw new AppError('AUTH_INVALID', 'The portal session is unknown or was ended');
  if (user.status !== 'active') throw new AppError('ACCOUNT_DISABLED', `User ${user.email} is disabled`);
  const now = deps.clock.nowMs();
  if (now >= session.expires_at || now >= session.last_seen_at + deps.session.idleSeconds * 1000) {
    await deleteUserSession(db, session.id);
    throw new AppError('SESSION_EXPIRED', 'The portal session expired; sign in again');
  }
  if (now - session.last_seen_at >= touchEveryMs) await touchUserSession(db, session.id, now);
  return {
    id: session.id,
    user,
    csrfToken: csrfTokenFor(token),
    expiresAt: Math.min(session.expires_at, now + deps.session.idleSeconds * 1000),
  };
};

export const portalLogout = async (
  deps: PortalSessionDeps,
  context: AuditContext,
  session: PortalSession,
) => {
  await transaction(deps.db, async (tx) => {
    await deleteUserSession(tx, session.id);
    await recordAudit(
      tx,
      deps.clock,
      { ...context, actor: licenseUserActor(session.user) },
      {
        action: 'user.logout',
        target: { type: 'user', id: session.user.id },
      },
    );
  });
};
