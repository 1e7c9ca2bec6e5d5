// Invitations: how a license user sets their first password. The vendor invites (Management API); the link
// carries a secret token, kept only as a SHA-256 hash, usable once before it expires; accepting it sets the
// password (and so lets the user sign in to the Client API and the portal).

import type { AuditContext } from '../../access/audit/service.js';
import { recordAudit } from '../../access/audit/service.js';
import type { Caller } from '../../access/caller.js';
import type { Database } from '../../db/connection.js';
import { transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { hashPassword, newSecret, sha256Hex } from '../../lib/secrets.js';
import { type CustomerMailDeps, notifyUserInvited } from '../customer-mail/service.js';
import { getUserRowOrThrow } from './service.js';
import { storeOwnPassword } from './sign-in.js';
import {
  endInvitationsOf,
  findUsableInvitation,
  findUser,
  insertInvitation,
  useInvitation,
} from './store.js';

/** How long an invitation link works, unless the request says otherwise. */
export const invitationDefaultSeconds = 7 * 86_400;

/** The portal page that accepts an invitation; the token rides in the fragment, so no request line logs it. */
export const invitationPath = (token: string) => `/portal/#/invitation/${token}`;

export interface InvitationDeps extends CustomerMailDeps {
  db: Database;
  /** CHARTER_PUBLIC_URL: the link is absolute with it (and mailed when user_invited mail is on), a path without. */
  publicUrl?: string | undefined;
}

/**
 * Invites a user to set a password: answers the one-time link (and its token), and queues the invitation mail in
 * the same transaction when user_invited mail is on.
 */
export const inviteUser = async (
  deps: InvitationDeps,
  caller: Caller,
  userId: string,
  options: { expiresInSeconds?: number | undefined },
) => {
  const { db, clock } = deps;
  const token = newSecret('inv_');
  const nowMs = clock.nowMs();
  const expiresAt = nowMs + (options.expiresInSeconds ?? invitationDefaultSeconds) * 1000;
  const url = `${deps.publicUrl ?? ''}${invitationPath(token)}`;
  const user = await transaction(db, async (tx) => {
    const row = await getUserRowOrThrow(tx, caller.principal, userId);
    await endInvitationsOf(tx, row.id, nowMs);
    await insertInvitation(tx, {
      id: newId('inv', nowMs),
      user_id: row.id,
      token_hash: sha256Hex(token),
      expires_at: expiresAt,
      used_at: null,
      created_at: nowMs,
    });
    await recordAudit(tx, clock, caller.audit, {
      action: 'user.invite',
      target: { type: 'user', id: row.id },
      changes: { expiresAt: [null, new Date(expiresAt).toISOString()] },
    });
    if (deps.publicUrl)
      await notifyUserInvited(deps, tx, { to: row.email, inviteUrl: url, expiresAt, userId: row.id });
    return row;
  });
  return { user, token, url, expiresAt: new Date(expiresAt).toISOString() };
};

/** Sets the password of the invited user; an unknown, used or expired token answers AUTH_INVALID. */
export const acceptInvitation = async (
  { db, clock }: { db: Database; clock: Clock },
  context: AuditContext,
  input: { token: string; password: string },
): Promise<void> => {
  // The token is checked before the password is hashed: a guessed token costs no scrypt.
  const tokenHash = sha256Hex(input.token);
  if (!(await findUsableInvitation(db.kysely, tokenHash, clock.nowMs()))) throw unusable();
  const passwordHash = await hashPassword(input.password);
  await transaction(db, async (tx) => {
    const invitation = await useInvitation(tx, tokenHash, clock.nowMs());
    const user = invitation ? await findUser(tx, invitation.user_id) : undefined;
    if (!invitation || !user || user.deleted_at !== null) throw unusable();
    await storeOwnPassword(tx, clock, context, user, passwordHash, 'user.invitation_accept');
  });
};

const unusable = () =>
  new AppError('AUTH_INVALID', 'The invitation is unknown, used or expired; ask for a new one');
