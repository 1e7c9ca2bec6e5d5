// What a principal may hand on: a key or an OAuth client never gets a scope or a product its creator lacks.
import { AppError } from '../errors/app-error.js';
import type { Principal } from './principal.js';
import { type Scope, scopesBeyond } from './scopes.js';

/** Refuses a grant beyond its creator's own; the CLI and bootstrap (no principal) may grant anything. */
export const assertGrantable = (
  creator: Principal | undefined,
  grant: { scopes: readonly Scope[]; productIds?: readonly string[] | null | undefined },
  what: 'key' | 'client',
): void => {
  if (!creator) return;
  const missing = scopesBeyond(grant.scopes, creator.scopes);
  if (missing.length > 0) {
    throw new AppError(
      'AUTH_INSUFFICIENT',
      `A ${what} cannot be given scopes its creator lacks: ${missing.join(', ')}`,
      {
        required: missing[0],
        missing,
      },
    );
  }
  if (creator.productIds === null) return;
  const outside =
    (grant.productIds ?? null) === null
      ? ['(all products)']
      : (grant.productIds ?? []).filter((id) => !creator.productIds?.includes(id));
  if (outside.length > 0) {
    throw new AppError(
      'PRODUCT_NOT_ALLOWED',
      `A ${what} of a product-restricted creator cannot cover ${outside.join(', ')}`,
      {
        productIds: outside,
      },
    );
  }
};
