// Operator sessions: login (throttled per account and address), server-side sessions with idle and absolute
// lifetimes, logout, and the CSRF token bound to each session.
import { createHash } from 'node:crypto';
import type { Database } from '../../db/connection.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { newSecret, sha256Hex, unmatchableHash, verifyPassword } from '../../lib/secrets.js';
import { type AuditContext, recentActionTimes, recordAudit } from '../audit/service.js';
import { findOperatorForLogin, operatorPrincipal, toOperator } from '../operators/operator.js';
import type { Operator } from '../operators/schemas.js';
import type { Principal } from '../principal.js';
import {
  deleteSession,
  deleteSessionsOf,
  endSessionsOf,
  findSessionWithOperator,
  insertSession,
  touchSession,
} from './store.js';

/** Ends an operator's sessions now; the rows stay, so their cookies answer ACCOUNT_DISABLED while disabled. */
export const endOperatorSessions = (db: Executor, operatorId: string, at: number) =>
  endSessionsOf(db, operatorId, at);

/** Deletes an operator's sessions (after a password change their cookies are simply unknown). */
export const deleteOperatorSessions = (db: Executor, operatorId: string) => deleteSessionsOf(db, operatorId);

export const sessionCookieName = 'charter_session';
/** The portal's session cookie (a license user's; licensing/portal): never read as an operator session. */
export const portalCookieName = 'charter_portal_session';
const sessionTokenPattern = /^[A-Za-z0-9_-]{43}$/;

/**
 * The sign-in throttle (README "Security model"). ops.md's lock of five failures for one email in 15 minutes is
 * kept per email *and address*: the address that failed five times for an email is refused for that email, before
 * the password is checked, until the window moves on. An address that has not failed for an account is never
 * refused before its password is checked, so nobody can lock an operator out from elsewhere. Past `perAddress`
 * failures in the window (any emails, known or not: spraying), an address is refused for every email it has
 * failed for at all. Behind a proxy, set CHARTER_TRUST_PROXY: otherwise every client shares the proxy's address.
 */
export const loginThrottle = { windowMs: 15 * 60_000, perEmail: 5, perAddress: 100 };
// A session's last-seen time is written at most once a minute, not on every request.
const touchEveryMs = 60_000;

export interface SessionSettings {
  idleSeconds: number;
  maxSeconds: number;
}

/** The CSRF token of a session: derived from its secret cookie, so it is never stored and dies with the session. */
export const csrfTokenFor = (sessionToken: string): string =>
  createHash('sha256').update(`charter-csrf\n${sessionToken}`).digest('base64url');

export interface SessionView {
  operator: Operator;
  csrfToken: string;
  expiresAt: string;
}

const lockedUntil = (failures: number[], threshold: number): number | undefined => {
  const oldestCounted = failures[threshold - 1];
  return failures.length >= threshold && oldestCounted !== undefined
    ? oldestCounted + loginThrottle.windowMs
    : undefined;
};

/**
 * Refuses a sign-in while its email and address are locked (loginThrottle), counting the audit entries of
 * `failedAction` (operators: auth.login_failed; license users: user.login_failed, the same rule).
 */
export const refuseWhileSignInLocked = async (
  db: Database,
  clock: Clock,
  { failedAction, email, ip }: { failedAction: string; email: string; ip: string | null },
): Promise<void> => {
  const sinceMs = clock.nowMs() - loginThrottle.windowMs;
  // Failures of this email from this address (from nowhere known: a system caller without an address).
  const byPair = await recentActionTimes(db.kysely, {
    action: failedAction,
    sinceMs,
    limit: loginThrottle.perEmail,
    targetId: email,
    ip,
  });
  if (byPair.length === 0) return;
  const byAddress = ip
    ? await recentActionTimes(db.kysely, {
        action: failedAction,
        sinceMs,
        limit: loginThrottle.perAddress,
        ip,
      })
    : [];
  const until = Math.max(
    lockedUntil(byPair, loginThrottle.perEmail) ?? 0,
    lockedUntil(byAddress, loginThrottle.perAddress) ?? 0,
  );
  if (until > clock.nowMs()) {
    const retryAfter = Math.ceil((until - clock.nowMs()) / 1000);
    throw new AppError(
      'RATE_LIMIT_EXCEEDED',
      'Too many failed sign-ins; try again later',
      {
        limit: loginThrottle.perEmail,
        remaining: 0,
        resetAt: new Date(until).toISOString(),
        retryAfter,
        scope: 'login',
      },
      { headers: { 'retry-after': String(retryAfter) } },
    );
  }
};

export const login = async (
  deps: { db: Database; clock: Clock; session: SessionSettings },
  context: AuditContext,
  credentials: { email: string; password: string },
): Promise<SessionView & { token: string }> => {
  const { db, clock } = deps;
  const email = credentials.email.trim().toLowerCase();
  await refuseWhileSignInLocked(db, clock, { failedAction: 'auth.login_failed', email, ip: context.ip });
  const operator = await findOperatorForLogin(db.kysely, email);
  // An unknown email is checked against a hash no password matches: both refusals take as long.
  const matches = await verifyPassword(
    credentials.password,
    operator?.password_hash ?? (await unmatchableHash()),
  );
  if (!operator || !matches) {
    await recordAudit(db.kysely, clock, context, {
      action: 'auth.login_failed',
      target: { type: 'login', id: email },
    });
    throw new AppError('INVALID_CREDENTIALS', 'The email or the password is wrong');
  }
  const actor = { ...context, actor: { type: 'operator' as const, id: operator.id, name: operator.email } };
  if (operator.disabled_at !== null) {
    await recordAudit(db.kysely, clock, actor, {
      action: 'auth.login_refused',
      target: { type: 'operator', id: operator.id },
    });
    throw new AppError('ACCOUNT_DISABLED', `Operator ${operator.email} is disabled`);
  }
  const now = clock.nowMs();
  const token = newSecret('');
  const expiresAt = now + deps.session.maxSeconds * 1000;
  await transaction(db, async (tx) => {
    await insertSession(tx, {
      id: newId('ses', now),
      token_hash: sha256Hex(token),
      operator_id: operator.id,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    });
    await recordAudit(tx, clock, actor, {
      action: 'auth.login',
      target: { type: 'operator', id: operator.id },
    });
  });
  return {
    token,
    operator: toOperator(operator),
    csrfToken: csrfTokenFor(token),
    expiresAt: new Date(Math.min(expiresAt, now + deps.session.idleSeconds * 1000)).toISOString(),
  };
};

/** The principal behind a session cookie: unknown → AUTH_INVALID, past a lifetime → SESSION_EXPIRED. */
export const authenticateSession = async (
  db: Database,
  clock: Clock,
  token: string,
  idleSeconds: number,
): Promise<Principal> => {
  if (!sessionTokenPattern.test(token)) throw new AppError('AUTH_INVALID', 'The session cookie is malformed');
  const found = await findSessionWithOperator(db.kysely, sha256Hex(token));
  if (!found) throw new AppError('AUTH_INVALID', 'The session is unknown or was ended');
  const { session, operator } = found;
  if (operator.disabled_at !== null)
    throw new AppError('ACCOUNT_DISABLED', `Operator ${operator.email} is disabled`);
  const now = clock.nowMs();
  const idleEnd = session.last_seen_at + idleSeconds * 1000;
  if (now >= session.expires_at || now >= idleEnd) {
    await deleteSession(db.kysely, session.id);
    throw new AppError('SESSION_EXPIRED', 'The session expired; sign in again');
  }
  if (now - session.last_seen_at >= touchEveryMs) await touchSession(db.kysely, session.id, now);
  return {
    ...operatorPrincipal(operator),
    session: {
      id: session.id,
      csrfToken: csrfTokenFor(token),
      expiresAt: Math.min(session.expires_at, now + idleSeconds * 1000),
    },
  };
};

export const logout = async (
  db: Database,
  clock: Clock,
  context: AuditContext,
  sessionId: string,
): Promise<void> => {
  await transaction(db, async (tx) => {
    await deleteSession(tx, sessionId);
    await recordAudit(tx, clock, context, {
      action: 'auth.logout',
      target: context.actor.id ? { type: 'operator', id: context.actor.id } : null,
    });
  });
};
