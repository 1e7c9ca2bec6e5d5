// The caller of a Management route, as services see it: who (for visibility and grants) and the audit context.
// The one adapter from a Fastify request to what services take: services never see Fastify types.
import type { FastifyRequest } from 'fastify';
import type { AuditContext } from './audit/service.js';
import type { Principal } from './principal.js';

export interface Caller {
  principal: Principal | undefined;
  audit: AuditContext;
}

/** Who acted and from where, taken from the request. */
export const auditContextOf = (request: FastifyRequest): AuditContext => ({
  actor: request.principal
    ? { type: request.principal.type, id: request.principal.id, name: request.principal.name }
    : { type: 'anonymous', id: null, name: null },
  requestId: request.id,
  ip: request.ip ?? null,
  userAgent: (request.headers['user-agent'] ?? '').slice(0, 300) || null,
});

export const callerOf = (request: FastifyRequest): Caller => ({
  principal: request.principal,
  audit: auditContextOf(request),
});
