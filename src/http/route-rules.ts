// Every route declares who may call it (config.auth) and which catalog errors it documents (config.errors).
// The registry below refuses to start an app with an undeclared route, keeps the path index that turns a
// wrong method into 405 with `Allow`, and feeds /docs/routes and the OpenAPI error responses.
import type { FastifyInstance, HTTPMethods, RouteOptions } from 'fastify';
import FindMyWay from 'find-my-way';
import { z } from 'zod';
import type { ErrorCode } from '../errors/catalog.js';

/**
 * Where a scope's resources live: `product` resources belong to one product (a product-restricted credential
 * reaches those of its products only); `server` resources belong to the whole server.
 */
export type Reach = 'product' | 'server';

/**
 * public: no credential; license-key: the Client API's licenseKey body field (or a license user's email and
 * password in its place); license-user: a license user's email and password in the body; portal-session: a license
 * user's portal session cookie (CSRF token on unsafe methods); webhook-signature: inbound
 * integrations; session: any operator session; credential: any valid Management credential, whatever its
 * scopes; scope: Management API credential holding the scope (built by access's requireScope, which knows the
 * scopes; the kernel only carries the rule).
 */
export type AuthRule =
  | { kind: 'public' }
  | { kind: 'license-key' }
  | { kind: 'license-user' }
  | { kind: 'portal-session' }
  | { kind: 'webhook-signature' }
  | { kind: 'session' }
  | { kind: 'credential' }
  | { kind: 'scope'; scope: string; reach: Reach };

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRule;
    /** Catalog codes this route answers on purpose, documented in /openapi.json. */
    errors?: readonly ErrorCode[];
    /** The OpenAPI component of this route's error responses, when not `Error`. */
    errorSchema?: 'OAuthError';
    /** Fields this route's errors carry beside the envelope (OAuthError's RFC 6749 ones), for the examples. */
    errorExtra?: (code: ErrorCode) => Record<string, unknown>;
    /** The media type of a success answer that is not JSON (documented so in /openapi.json). */
    produces?: string;
    /**
     * The action kind this route performs (ops.md "Actions and approvals"), or a function of the body that names
     * it (PATCH sets different things): listed in CHARTER_REQUIRE_APPROVAL, the route answers 403.
     */
    approvalKind?: string | ((body: unknown) => string | undefined);
    /**
     * A per-address limit of its own (licensing/client/rate-limits.ts): trial, hourly; sign-in (a license user's
     * password or invitation checked: scrypt on each), per minute.
     */
    addressQuota?: 'trial' | 'sign-in';
    /** Optional request headers the handler reads itself (not validated by a schema), for /openapi.json. */
    requestHeaders?: readonly DocumentedHeader[];
  }
  interface FastifyRequest {
    errorCode: string | undefined;
    actorId: string | undefined;
  }
}

/** An optional request header a route reads, as /openapi.json documents it. */
export interface DocumentedHeader {
  name: string;
  description: string;
  maxLength: number;
}

export const publicRoute: AuthRule = { kind: 'public' };

/** Any operator session (api.md: `/v1/auth/session`, `/v1/auth/logout`). */
export const sessionRoute: AuthRule = { kind: 'session' };

/** Any valid API key, access token or operator session, whatever its scopes (the route reference). */
export const credentialRoute: AuthRule = { kind: 'credential' };

export interface RouteRecord {
  method: string;
  url: string;
  auth: AuthRule;
  errors: readonly ErrorCode[];
  errorSchema: 'ErrorEnvelope' | 'OAuthError';
  errorExtra: ((code: ErrorCode) => Record<string, unknown>) | undefined;
  produces: string | undefined;
  requestHeaders: readonly DocumentedHeader[];
  hidden: boolean;
}

export class RouteRegistry {
  readonly routes: RouteRecord[] = [];
  readonly #methodsByUrl = new Map<string, Set<string>>();
  readonly #paths = FindMyWay({ ignoreTrailingSlash: false, ignoreDuplicateSlashes: false });

  /** Paths below these prefixes are public without declaring it: the files of the interactive reference. */
  constructor(private readonly publicPrefixes: readonly string[] = []) {}

  add(options: RouteOptions): void {
    const auth =
      options.config?.auth ??
      (this.publicPrefixes.some((prefix) => options.url === prefix || options.url.startsWith(`${prefix}/`))
        ? publicRoute
        : undefined);
    const methods = ([] as HTTPMethods[]).concat(options.method);
    if (!auth) {
      throw new Error(`Route ${methods.join(',')} ${options.url} declares no auth rule (config.auth)`);
    }
    let known = this.#methodsByUrl.get(options.url);
    if (!known) {
      known = new Set();
      this.#methodsByUrl.set(options.url, known);
      this.#paths.on('GET', options.url, () => {}, known);
    }
    for (const method of methods) {
      known.add(method);
      this.routes.push({
        method,
        url: options.url,
        auth,
        errors: options.config?.errors ?? [],
        errorSchema: options.config?.errorSchema ?? 'ErrorEnvelope',
        errorExtra: options.config?.errorExtra,
        produces: options.config?.produces,
        requestHeaders: options.config?.requestHeaders ?? [],
        hidden: Boolean((options.schema as { hide?: boolean } | undefined)?.hide),
      });
    }
  }

  /** Methods served on the path, empty when no route matches it at all. */
  allowedMethods(path: string): string[] {
    const found = this.#paths.find('GET', path.split('?')[0] ?? path);
    return found ? [...(found.store as Set<string>)].sort() : [];
  }

  find(method: string, url: string): RouteRecord | undefined {
    return this.routes.find((route) => route.method === method && route.url === url);
  }
}

const noQuery = z.strictObject({});
const noBody = z.strictObject({}).nullish();
const bodyless = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * What a route does not declare, it does not take: an API route without a query schema refuses query parameters
 * (400 INVALID_QUERY, as routes with one do for unknown ones), and a Management route without a body schema takes
 * no body but `{}`. One rule here instead of an empty schema on each route.
 */
const closeUndeclared = (options: RouteOptions): void => {
  if (!options.url.startsWith('/v1/')) return;
  const schema = (options.schema ?? {}) as Record<string, unknown>;
  const methods = ([] as string[]).concat(options.method);
  const next = { ...schema };
  if (schema.querystring === undefined) next.querystring = noQuery;
  if (
    schema.body === undefined &&
    options.config?.auth?.kind === 'scope' &&
    methods.every((method) => !bodyless.has(method))
  )
    next.body = noBody;
  options.schema = next;
};

export const trackRoutes = (app: FastifyInstance, registry: RouteRegistry): void => {
  app.addHook('onRoute', (options) => {
    registry.add(options);
    closeUndeclared(options);
  });
};
