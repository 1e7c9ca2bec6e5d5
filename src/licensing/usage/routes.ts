// GET /v1/usage (licenses:read).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import type { Database } from '../../db/connection.js';
import type { Clock } from '../../lib/clock.js';
import type { UsageRecorder } from './recorder.js';
import { usageQuerySchema, usageReportSchema } from './schemas.js';
import { usageReport } from './service.js';

export const usageRoutes =
  (deps: { db: Database; clock: Clock; usage: UsageRecorder }) =>
  async (app: FastifyInstance): Promise<void> => {
    app.withTypeProvider<ZodTypeProvider>().get(
      '/v1/usage',
      {
        config: { auth: requireScope('licenses:read'), errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          tags: ['Usage'],
          operationId: 'usage.report',
          summary:
            'Usage by hour or day: validations, activations, deactivations, checkouts, denials and peak seats in use',
          querystring: usageQuerySchema,
          response: { 200: usageReportSchema },
        },
      },
      async (request) => usageReport(deps, callerOf(request), request.query),
    );
  };
