// Liveness and readiness: GET /healthz answers while the process runs; GET /readyz only when storage
// answers and every migration is applied.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type Database, pingDatabase } from '../db/connection.js';
import { pendingMigrations } from '../db/migrate.js';
import { AppError } from '../errors/app-error.js';
import { publicRoute } from '../http/route-rules.js';

const statusSchema = z.object({ status: z.literal('ok') });
const readySchema = z.object({ status: z.literal('ok'), storage: z.enum(['sqlite', 'postgres']) });

export const healthRoutes =
  ({ db }: { db: Database }) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    let migrationsCurrent = false;

    routes.get(
      '/healthz',
      {
        config: { auth: publicRoute },
        schema: { tags: ['Service'], summary: 'Liveness: the process runs', response: { 200: statusSchema } },
      },
      async () => ({ status: 'ok' as const }),
    );

    routes.get(
      '/readyz',
      {
        config: { auth: publicRoute, errors: ['SERVICE_UNAVAILABLE'] },
        schema: {
          tags: ['Service'],
          summary: 'Readiness: storage answers and migrations are current',
          response: { 200: readySchema },
        },
      },
      async (request) => {
        let pending: string[] = [];
        try {
          // Migrations only move forward: once current, a cheap round trip is enough to prove storage answers.
          if (migrationsCurrent) await pingDatabase(db);
          else pending = await pendingMigrations(db);
        } catch (error) {
          request.log.warn({ err: error }, 'readiness check: storage does not answer');
          throw new AppError('SERVICE_UNAVAILABLE', 'Storage does not answer', { storage: db.dialect });
        }
        migrationsCurrent = pending.length === 0;
        if (pending.length > 0) {
          throw new AppError('SERVICE_UNAVAILABLE', `Migrations are pending: ${pending.join(', ')}`, {
            pending,
          });
        }
        return { status: 'ok' as const, storage: db.dialect };
      },
    );
  };
