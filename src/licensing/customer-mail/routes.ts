// GET /v1/licenses/{id}/notifications: the customer mail about a license, with its delivery state.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import type { Database } from '../../db/connection.js';
import { pageSchema } from '../../http/pagination.js';
import { licenseNotificationPage } from './notifications.js';
import { licenseIdParams, notificationListQuery, notificationSchema } from './schemas.js';

export const customerMailRoutes =
  (deps: { db: Database }) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    routes.get(
      '/v1/licenses/:id/notifications',
      {
        config: { auth: requireScope('licenses:read'), errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          operationId: 'licenses.notifications.list',
          tags: ['Licenses'],
          summary:
            'The mail sent to the customer about a license (and its order), newest first: pending, sent, or failed with NOTIFICATION_FAILED',
          params: licenseIdParams,
          querystring: notificationListQuery,
          response: { 200: pageSchema(notificationSchema) },
        },
      },
      async (request) =>
        licenseNotificationPage(deps.db.kysely, callerOf(request), request.params.id, request.query),
    );
  };
