// An operator as the API answers it, and the lookups sign-in needs (sessions use these without the rest of the
// operators service, which itself ends sessions: no circle between the two).
import type { OperatorsTable } from '../../db/schema.js';
import type { Executor } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Caller } from '../caller.js';
import type { Principal } from '../principal.js';
import { type Role, roleScopes } from '../scopes.js';
import type { Operator } from './schemas.js';
import { findOperator, findOperatorByEmail } from './store.js';

export const toOperator = (row: OperatorsTable): Operator => ({
  id: row.id,
  email: row.email,
  name: row.name,
  role: row.role as Role,
  disabled: row.disabled_at !== null,
  disabledAt: row.disabled_at === null ? null : new Date(row.disabled_at).toISOString(),
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

/** The stored operator row for a sign-in attempt (the password hash included), or undefined. */
export const findOperatorForLogin = (db: Executor, email: string) => findOperatorByEmail(db, email);

export const getOperatorOrThrow = async (db: Executor, id: string): Promise<Operator> => {
  const row = await findOperator(db, id);
  if (!row) throw new AppError('NOT_FOUND', `No operator ${id}`);
  return toOperator(row);
};

/**
 * A CLI command acting as an operator (`--as <email>`): the operator's role gives the scopes, and the audit trail
 * names them. A disabled or unknown operator cannot be acted as.
 */
export const operatorCallerByEmail = async (db: Executor, email: string): Promise<Caller> => {
  const row = await findOperatorByEmail(db, email);
  if (!row) throw new AppError('NOT_FOUND', `No operator ${email}`);
  if (row.disabled_at !== null) throw new AppError('ACCOUNT_DISABLED', `Operator ${email} is disabled`);
  return {
    principal: operatorPrincipal(row),
    audit: {
      actor: { type: 'operator', id: row.id, name: row.email },
      requestId: null,
      ip: null,
      userAgent: 'charter CLI',
    },
  };
};

/** What an operator may do: the scopes of their role, over every product (sessions add their CSRF token). */
export const operatorPrincipal = (row: Pick<OperatorsTable, 'id' | 'email' | 'role'>): Principal => ({
  type: 'operator',
  id: row.id,
  name: row.email,
  scopes: roleScopes[row.role as Role] ?? [],
  productIds: null,
  readOnly: false,
  rateLimit: null,
  quota: null,
});
