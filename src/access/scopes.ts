// Scopes and roles (api.md "Authentication"): what a credential may do, and what each operator role grants.
import { z } from 'zod';
import type { AuthRule, Reach } from '../http/route-rules.js';

const resources = [
  'products',
  'policies',
  'customers',
  'licenses',
  'machines',
  'orders',
  'releases',
  'webhooks',
  'monitor',
  'incidents',
  'actions',
  'keys',
  'operators',
] as const;

export const scopes = [
  ...resources.flatMap((resource) => [`${resource}:read`, `${resource}:write`] as const),
  'audit:read',
  'actions:approve',
  'admin',
] as const;

export type Scope = (typeof scopes)[number];

export const scopeSchema = z.enum(scopes);

const scopeSet: ReadonlySet<string> = new Set(scopes);
export const isScope = (value: string): value is Scope => scopeSet.has(value);

/**
 * Where a scope's resources live (README "Security model"): `product` resources belong to one product (a
 * product-restricted credential reaches those of its products only, the others answer as missing); `server`
 * resources belong to the whole server (operators, keys, OAuth clients, signing keys, webhooks, the monitor, the
 * audit log, metrics, incidents and actions): only an unrestricted credential reaches them.
 */
const productResources: ReadonlySet<string> = new Set([
  'products',
  'policies',
  'customers',
  'licenses',
  'machines',
  'orders',
  'releases',
]);
export const reachOf = (scope: Scope): Reach =>
  productResources.has(scope.split(':')[0] ?? '') ? 'product' : 'server';

/**
 * A Management route: API key, OAuth token or operator session holding the scope. The scope's resource decides
 * the reach: a product-restricted credential is refused every `server` route in one place (authenticate.ts).
 */
export const requireScope = (scope: Scope): AuthRule => ({ kind: 'scope', scope, reach: reachOf(scope) });

/**
 * A route of a product resource that a product-restricted credential may not call at all (403
 * PRODUCT_NOT_ALLOWED): what makes or empowers a principal that would reach beyond the credential's products — a
 * license manager, a user's password, an invitation link.
 */
export const requireUnrestricted = (scope: Scope): AuthRule => ({ kind: 'scope', scope, reach: 'server' });

export const roles = ['owner', 'admin', 'operator', 'viewer'] as const;
export type Role = (typeof roles)[number];
export const roleSchema = z.enum(roles);

const readScopes = scopes.filter((scope) => scope.endsWith(':read'));

const viewer: Scope[] = readScopes.filter((scope) => scope !== 'keys:read' && scope !== 'operators:read');
const operator: Scope[] = [
  ...viewer,
  'licenses:write',
  'machines:write',
  'customers:write',
  'orders:write',
  'incidents:write',
  'actions:write',
];
// admin: every scope but operators:write (and so not the all-covering `admin` scope either).
const admin: Scope[] = scopes.filter((scope) => scope !== 'operators:write' && scope !== 'admin');

export const roleScopes: Record<Role, readonly Scope[]> = {
  viewer,
  operator,
  admin,
  owner: ['admin'],
};

/** True when the granted scopes cover the required one (`admin` covers all). */
export const hasScope = (granted: readonly Scope[], required: Scope): boolean =>
  granted.includes('admin') || granted.includes(required);

/** The granted scopes that the holder lacks: a key may never be given a scope its creator lacks. */
export const scopesBeyond = (requested: readonly Scope[], holder: readonly Scope[]): Scope[] =>
  requested.filter((scope) => !hasScope(holder, scope));
