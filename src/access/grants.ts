// What a principal may hand on or change: no credential creates, changes or revokes a principal with more power
// than itself. Power is scopes and products: a key, an OAuth client or an operator's role is "within" a creator
// when the creator holds every one of its scopes and covers every product it reaches.
import type { Executor } from '../db/transaction.js';
import { AppError } from '../errors/app-error.js';
import type { Principal } from './principal.js';
import { type Role, roleScopes, type Scope, scopesBeyond } from './scopes.js';

export interface Power {
  scopes: readonly Scope[];
  /** null or undefined: every product. */
  productIds?: readonly string[] | null | undefined;
}

/**
 * The ids of the products a grant names (`productIds`: each by id or code), or 422 UNKNOWN_PRODUCT for a name that
 * is no live product. The licensing domain provides it (app.ts hands it in), so access reads no product itself.
 */
export type ProductReferences = (db: Executor, references: readonly string[]) => Promise<string[]>;

type Subject = 'key' | 'client' | 'operator';
const named: Record<Subject, string> = { key: 'A key', client: 'A client', operator: 'An operator' };

/** The power of an operator of this role: the role's scopes over every product. */
export const rolePower = (role: Role): Power => ({ scopes: roleScopes[role], productIds: null });

/**
 * Refuses `power` when it goes beyond the principal's own: AUTH_INSUFFICIENT for scopes, PRODUCT_NOT_ALLOWED for
 * products. The CLI and bootstrap (no principal) may grant anything. `doing` says what was refused ("given",
 * "changed", "revoked").
 */
export const assertWithin = (
  principal: Principal | undefined,
  power: Power,
  subject: Subject,
  doing: 'given' | 'changed' | 'revoked' = 'given',
): void => {
  if (!principal) return;
  const missing = scopesBeyond(power.scopes, principal.scopes);
  if (missing.length > 0) {
    throw new AppError(
      'AUTH_INSUFFICIENT',
      doing === 'given'
        ? `${named[subject]} cannot be given scopes its creator lacks: ${missing.join(', ')}`
        : `${named[subject]} with scopes this credential lacks cannot be ${doing} by it: ${missing.join(', ')}`,
      { required: missing[0], missing },
    );
  }
  if (principal.productIds === null) return;
  const outside =
    (power.productIds ?? null) === null
      ? ['(all products)']
      : (power.productIds ?? []).filter((id) => !principal.productIds?.includes(id));
  if (outside.length > 0) {
    throw new AppError(
      'PRODUCT_NOT_ALLOWED',
      doing === 'given'
        ? `${named[subject]} of a product-restricted creator cannot cover ${outside.join(', ')}`
        : `${named[subject]} covering ${outside.join(', ')} cannot be ${doing} by a credential restricted to other products`,
      { productIds: outside },
    );
  }
};

/** A key or an OAuth client never gets a scope or a product its creator lacks. */
export const assertGrantable = (creator: Principal | undefined, grant: Power, what: 'key' | 'client'): void =>
  assertWithin(creator, grant, what, 'given');
