// The principal: who is calling a Management route, and what they may do.
import type { Scope } from './scopes.js';

export type PrincipalType = 'api_key' | 'operator' | 'oauth_client';

export interface Principal {
  type: PrincipalType;
  id: string;
  name: string;
  scopes: readonly Scope[];
  /** Products the credential is restricted to; null for all. */
  productIds: readonly string[] | null;
  readOnly: boolean;
  /** Requests per minute for this credential, overriding CHARTER_RATE_LIMIT_MANAGEMENT; null for the default. */
  rateLimit: number | null;
  /** Daily and monthly request quotas (UTC calendar periods); null for none. */
  quota: { daily?: number | undefined; monthly?: number | undefined } | null;
  /** Keys with requireSignature: the HMAC secret every request must be signed with. */
  signingSecret?: Buffer;
  /** Set when the principal came from a session cookie: unsafe requests then need the CSRF token. */
  session?: { id: string; csrfToken: string; expiresAt: number };
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | undefined;
  }
}
