// How the Management API's credentials appear in the OpenAPI document: the four security schemes (a bearer API
// key or access token, the X-API-Key header, OAuth client credentials, the operator session cookie with its
// CSRF header), and each route's requirements from its auth rule. Routes without a Management credential (public,
// the Client API's license key in the body, signed inbound webhooks) require none.

import type { ErrorCode } from '../errors/catalog.js';
import type { OpenApiSecurity } from '../http/openapi.js';
import type { AuthRule } from '../http/route-rules.js';
import { type Scope, scopes } from './scopes.js';
import { portalCookieName, sessionCookieName } from './sessions/service.js';

const scopeDescription = (scope: Scope): string => {
  if (scope === 'admin') return 'Every scope';
  if (scope === 'actions:approve') return 'Approve or reject actions proposed by someone else';
  const [resource, access] = scope.split(':');
  return `${access === 'read' ? 'Read' : 'Create, change and delete'} ${resource}`;
};

const schemes = {
  bearer: {
    type: 'http',
    scheme: 'bearer',
    description:
      '`Authorization: Bearer <credential>`: an API key (`ck_…`, from POST /v1/api-keys) or an access token from POST /v1/oauth/token. The credential must hold the scope named on the operation (`admin` holds all).',
  },
  apiKeyHeader: {
    type: 'apiKey',
    in: 'header',
    name: 'X-API-Key',
    description: 'The same API key in its own header, for clients that cannot set Authorization.',
  },
  oauth2: {
    type: 'oauth2',
    description:
      'OAuth 2.0 client credentials (RFC 6749 §4.4): an OAuth client (POST /v1/oauth-clients) exchanges its id and secret for a short-lived access token, sent as a bearer token.',
    flows: {
      clientCredentials: {
        tokenUrl: '/v1/oauth/token',
        scopes: Object.fromEntries(scopes.map((scope) => [scope, scopeDescription(scope)])),
      },
    },
  },
  session: {
    type: 'apiKey',
    in: 'cookie',
    name: sessionCookieName,
    description: `An operator session: POST /v1/auth/login sets the \`${sessionCookieName}\` cookie (HttpOnly) and answers the CSRF token; every POST, PUT, PATCH and DELETE with the cookie must send that token in the \`X-CSRF-Token\` header (else 403 CSRF_VALIDATION_FAILED). The operator's role grants the scopes.`,
  },
  portalSession: {
    type: 'apiKey',
    in: 'cookie',
    name: portalCookieName,
    description: `A license user's portal session: POST /v1/portal/login sets the \`${portalCookieName}\` cookie (HttpOnly) and answers the CSRF token; every POST, PUT, PATCH and DELETE with it must send that token in \`X-CSRF-Token\` (else 403 CSRF_VALIDATION_FAILED). It never grants a Management scope.`,
  },
} as const;

const requirements = (rule: AuthRule): Record<string, string[]>[] => {
  switch (rule.kind) {
    case 'scope':
      return [
        { bearer: [rule.scope] },
        { apiKeyHeader: [rule.scope] },
        { oauth2: [rule.scope] },
        { session: [rule.scope] },
      ];
    case 'credential':
      return [{ bearer: [] }, { apiKeyHeader: [] }, { oauth2: [] }, { session: [] }];
    case 'session':
      return [{ session: [] }];
    case 'portal-session':
      return [{ portalSession: [] }];
    case 'public':
    case 'license-key':
    case 'license-user':
    case 'webhook-signature':
      return [];
  }
};

const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** What authenticate.ts refuses, by rule: no or a bad credential, then (scope routes) what it may not do. */
const errors = (rule: AuthRule, method: string): readonly ErrorCode[] => {
  if (rule.kind !== 'scope' && rule.kind !== 'credential' && rule.kind !== 'session') return [];
  const refusals: ErrorCode[] = [
    'AUTH_MISSING',
    'AUTH_INVALID',
    'AUTH_EXPIRED',
    'OAUTH_TOKEN_EXPIRED',
    'SESSION_EXPIRED',
  ];
  if (unsafe.has(method)) refusals.push('CSRF_VALIDATION_FAILED');
  if (rule.kind === 'session') refusals.push('FORBIDDEN');
  if (rule.kind === 'scope') {
    refusals.push('AUTH_INSUFFICIENT');
    if (unsafe.has(method)) refusals.push('READ_ONLY_KEY');
  }
  refusals.push('RATE_LIMIT_EXCEEDED');
  return refusals;
};

export const openApiSecurity: OpenApiSecurity = { schemes, requirements, errors };
