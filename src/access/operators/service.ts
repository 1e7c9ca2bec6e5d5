// Operators: the people who sign in to the dashboard. Passwords are scrypt hashes; disabling an operator
// ends their sessions at once; the last active owner can be neither demoted nor disabled. (An operator as
// answered and looked up, which sessions need too, is operator.ts.)

import type { Database } from '../../db/connection.js';
import { isUniqueViolation } from '../../db/errors.js';
import { readPage } from '../../db/pagination.js';
import type { OperatorsTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { hashPassword } from '../../lib/secrets.js';
import { type AuditContext, type Changes, recordAudit } from '../audit/service.js';
import { assertWithin, rolePower } from '../grants.js';
import type { Principal } from '../principal.js';
import { hasScope, type Role, roleScopes, roles, type Scope } from '../scopes.js';
import { deleteOperatorSessions, endOperatorSessions } from '../sessions/service.js';
import { toOperator } from './operator.js';
import type { CreateOperator, Operator, UpdateOperator } from './schemas.js';
import {
  countActiveOwners,
  countOperators,
  emailsOfRoles,
  insertOperator,
  listOperators,
  lockOperatorRow,
  updateOperatorRow,
} from './store.js';

/** Operators need storage and time only. */
export interface OperatorDeps {
  db: Database;
  clock: Clock;
}

/**
 * Creates an operator. A credential creates operators only of a role within its own power (grants.ts): an
 * `operators:write` key without `admin` cannot make an owner. The CLI and bootstrap pass no principal.
 */
export const createOperator = async (
  { db, clock }: OperatorDeps,
  context: AuditContext,
  creator: Principal | undefined,
  input: CreateOperator,
): Promise<Operator> => {
  assertWithin(creator, rolePower(input.role), 'operator', 'given');
  const now = clock.nowMs();
  const row: OperatorsTable = {
    id: newId('op', now),
    email: input.email,
    name: input.name ?? input.email,
    role: input.role,
    password_hash: await hashPassword(input.password),
    disabled_at: null,
    created_at: now,
    updated_at: now,
  };
  try {
    await transaction(db, async (tx) => {
      await insertOperator(tx, row);
      await recordAudit(tx, clock, context, {
        action: 'operator.create',
        target: { type: 'operator', id: row.id },
        changes: { email: [null, row.email], role: [null, row.role] },
      });
    });
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError('ALREADY_EXISTS', `An operator with email ${input.email} exists`, {
        field: 'email',
      });
    }
    throw error;
  }
  return toOperator(row);
};

/** Creates the first owner from CHARTER_BOOTSTRAP_EMAIL/_PASSWORD when no operator exists; answers whether it did. */
export const bootstrapOwner = async (
  deps: OperatorDeps,
  context: AuditContext,
  credentials: { email: string; password: string },
): Promise<boolean> => {
  if ((await countOperators(deps.db.kysely)) > 0) return false;
  try {
    await createOperator(deps, context, undefined, {
      email: credentials.email.toLowerCase(),
      password: credentials.password,
      role: 'owner',
    });
    return true;
  } catch (error) {
    // Another process bootstrapped the same owner first.
    if (error instanceof AppError && error.code === 'ALREADY_EXISTS') return false;
    throw error;
  }
};

export const operatorPage = async (
  db: Executor,
  query: {
    limit: number;
    cursor?: string | undefined;
    role?: Role | undefined;
    disabled?: boolean | undefined;
  },
) => {
  return readPage(
    query,
    (window) =>
      listOperators(db, {
        after: window.after,
        role: query.role,
        disabled: query.disabled,
        limit: window.limit,
      }),
    (rows) => rows.map((row) => toOperator(row)),
  );
};

/**
 * Updates an operator. The caller must hold the power of the operator's role as it is and as it would become: no
 * credential changes (password, role, name, disabling) an operator more powerful than itself, nor promotes one
 * beyond itself.
 */
export const updateOperator = async (
  { db, clock }: OperatorDeps,
  context: AuditContext,
  caller: Principal | undefined,
  id: string,
  patch: UpdateOperator,
): Promise<Operator> => {
  if (patch.role) assertWithin(caller, rolePower(patch.role), 'operator', 'given');
  const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
  return transaction(db, async (tx) => {
    const row = await lockOperatorRow(tx, db.dialect, id);
    if (!row) throw new AppError('NOT_FOUND', `No operator ${id}`);
    assertWithin(caller, rolePower(row.role as Role), 'operator', 'changed');
    const now = clock.nowMs();
    const disabledAt =
      patch.disabled === undefined ? row.disabled_at : patch.disabled ? (row.disabled_at ?? now) : null;
    const role = patch.role ?? row.role;
    const losesOwner =
      row.role === 'owner' && row.disabled_at === null && (role !== 'owner' || disabledAt !== null);
    if (losesOwner && (await countActiveOwners(tx)) <= 1) {
      throw new AppError(
        'FORBIDDEN',
        'The last active owner can be neither demoted nor disabled; make another owner first',
      );
    }
    const changes: Changes = {};
    if (patch.name !== undefined && patch.name !== row.name) changes.name = [row.name, patch.name];
    if (role !== row.role) changes.role = [row.role, role];
    if ((disabledAt !== null) !== (row.disabled_at !== null))
      changes.disabled = [row.disabled_at !== null, disabledAt !== null];
    if (passwordHash) changes.password = ['(unchanged)', '(changed)'];
    const updated = {
      ...row,
      name: patch.name ?? row.name,
      role,
      disabled_at: disabledAt,
      password_hash: passwordHash ?? row.password_hash,
      updated_at: now,
    };
    await updateOperatorRow(tx, id, {
      name: updated.name,
      role: updated.role,
      disabled_at: updated.disabled_at,
      password_hash: updated.password_hash,
      updated_at: now,
    });
    // Disabling ends the operator's sessions at once (their cookies then answer ACCOUNT_DISABLED); a new password
    // deletes them; a role change applies from the next request.
    if (changes.disabled && disabledAt !== null) await endOperatorSessions(tx, id, now);
    if (changes.password) await deleteOperatorSessions(tx, id);
    await recordAudit(tx, clock, context, {
      action: 'operator.update',
      target: { type: 'operator', id },
      changes,
    });
    return toOperator(updated);
  });
};

/** The addresses of the enabled operators holding a scope (through their role): who can act on a notification. */
export const operatorEmailsWithScope = (db: Executor, scope: Scope): Promise<string[]> =>
  emailsOfRoles(
    db,
    roles.filter((role) => hasScope(roleScopes[role], scope)),
  );
