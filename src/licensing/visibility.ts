// Product restriction of keys and clients (api.md "Visibility"): a resource of another product is answered as
// missing (404), and naming another product in a body is refused (403 PRODUCT_NOT_ALLOWED).
import type { Principal } from '../access/principal.js';
import { AppError } from '../errors/app-error.js';

export const canSeeProduct = (principal: Principal | undefined, productId: string): boolean =>
  !principal || principal.productIds === null || principal.productIds.includes(productId);

/** The product ids a list must be limited to, or undefined for all. */
export const visibleProducts = (principal: Principal | undefined): readonly string[] | undefined =>
  principal?.productIds ?? undefined;

export const assertProductAllowed = (principal: Principal | undefined, productId: string): void => {
  if (!canSeeProduct(principal, productId)) {
    throw new AppError(
      'PRODUCT_NOT_ALLOWED',
      `This credential is restricted to other products than ${productId}`,
      {
        productId,
      },
    );
  }
};
