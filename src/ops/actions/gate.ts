// CHARTER_REQUIRE_APPROVAL (ops.md "Actions and approvals"): the action kinds listed may not be done directly.
// A route declares which kind it performs (config.approvalKind, read from the body where it depends on it); when
// that kind is listed, the route answers 403 FORBIDDEN naming POST /v1/actions.
import type { FastifyInstance } from 'fastify';
import { ConfigError } from '../../config.js';
import { AppError } from '../../errors/app-error.js';
import { type ActionKind, actionKinds } from './schemas.js';

/** The configured kinds, checked at start: an unknown one stops start-up (exit 78) rather than guarding nothing. */
export const approvalKindsOf = (configured: readonly string[]): ReadonlySet<ActionKind> => {
  const unknown = configured.filter((kind) => !(actionKinds as readonly string[]).includes(kind));
  if (unknown.length > 0)
    throw new ConfigError(
      `Invalid configuration:\n  CHARTER_REQUIRE_APPROVAL: unknown action kinds ${unknown.join(', ')} (known: ${actionKinds.join(', ')})`,
    );
  return new Set(configured as ActionKind[]);
};

/** 403 FORBIDDEN naming the action route when `kind` may not be done directly (the routes and the CLI alike). */
export const assertDirectAllowed = (required: ReadonlySet<ActionKind>, kind: string | undefined): void => {
  if (kind === undefined || !required.has(kind as ActionKind)) return;
  throw new AppError(
    'FORBIDDEN',
    `${kind} needs approval on this server (CHARTER_REQUIRE_APPROVAL): propose it with POST /v1/actions { "kind": "${kind}", "params": …, "reason": … }`,
    { kind, route: '/v1/actions' },
  );
};

export const registerApprovalGate = (app: FastifyInstance, required: ReadonlySet<ActionKind>): void => {
  if (required.size === 0) return;
  app.addHook('preHandler', async (request) => {
    const declared = request.routeOptions.config.approvalKind;
    assertDirectAllowed(required, typeof declared === 'function' ? declared(request.body) : declared);
  });
};
