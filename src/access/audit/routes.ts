// GET /v1/audit-log: read-only; no route changes or deletes entries.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../db/connection.js';
import { pageSchema } from '../../http/pagination.js';
import { requireScope } from '../scopes.js';
import { auditEntrySchema, auditQuerySchema } from './schemas.js';
import { auditPage } from './service.js';

export const auditRoutes =
  ({ db }: { db: Database }) =>
  async (app: FastifyInstance): Promise<void> => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/v1/audit-log',
      {
        config: { auth: requireScope('audit:read'), errors: ['INVALID_QUERY'] },
        schema: {
          tags: ['Audit'],
          summary: 'The audit trail, newest first',
          querystring: auditQuerySchema,
          response: { 200: pageSchema(auditEntrySchema) },
        },
      },
      async (request) => {
        const { limit, cursor, actorId, targetId, action, from, to } = request.query;
        return auditPage(db.kysely, {
          limit,
          cursor,
          actorId,
          targetId,
          action,
          fromMs: from ? Date.parse(from) : undefined,
          toMs: to ? Date.parse(to) : undefined,
        });
      },
    );
  };
