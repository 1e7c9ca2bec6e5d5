// The caller of a Management route, as services see it: who (for visibility and grants) and the audit context.
import type { FastifyRequest } from 'fastify';
import { type AuditContext, auditContextOf } from './audit/service.js';
import type { Principal } from './principal.js';

export interface Caller {
  principal: Principal | undefined;
  audit: AuditContext;
}

export const callerOf = (request: FastifyRequest): Caller => ({
  principal: request.principal,
  audit: auditContextOf(request),
});
