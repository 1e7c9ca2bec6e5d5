// /v1/monitor/**: monitored license servers, polls and what they found (monitor:read / monitor:write).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../access/caller.js';
import { requireScope } from '../access/scopes.js';
import { noContentResponse } from '../http/openapi.js';
import { pageSchema } from '../http/pagination.js';
import {
  createServerSchema,
  denialCountSchema,
  denialsQuery,
  featuresQuery,
  featureUsageSchema,
  pollListQuery,
  pollSchema,
  pollSummarySchema,
  serverIdParams,
  serverListQuery,
  serverSchema,
  serverStatusSchema,
  sessionSchema,
  sessionsQuery,
  updateServerSchema,
  usagePointSchema,
  usageQuery,
} from './schemas.js';
import {
  createServer,
  deleteServer,
  getPoll,
  getServer,
  pollNow,
  pollPage,
  type RegistryDeps,
  serverPage,
  serverStatus,
  updateServer,
} from './servers/service.js';
import { denialPage, featureUsagePage, serverUsage, sessionPage, type UsageDeps } from './usage/service.js';

export const monitorRoutes =
  (deps: RegistryDeps & UsageDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Monitor'];
    const read = requireScope('monitor:read');
    const write = requireScope('monitor:write');

    routes.post(
      '/v1/monitor/servers',
      {
        config: { auth: write, errors: ['VALIDATION_ERROR'] },
        schema: {
          tags,
          summary: 'Monitor a FlexLM or RLM license server',
          body: createServerSchema,
          response: { 201: serverSchema },
        },
      },
      async (request, reply) => {
        const server = await createServer(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/monitor/servers/${server.id}`).send(server);
      },
    );

    routes.get(
      '/v1/monitor/servers',
      {
        config: { auth: read, errors: ['INVALID_QUERY'] },
        schema: {
          tags,
          summary: 'List monitored servers',
          querystring: serverListQuery,
          response: { 200: pageSchema(serverSchema) },
        },
      },
      async (request) => serverPage(deps, request.query),
    );

    routes.get(
      '/v1/monitor/servers/:id',
      {
        config: { auth: read, errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Read a monitored server',
          params: serverIdParams,
          response: { 200: serverSchema },
        },
      },
      async (request) => getServer(deps, request.params.id),
    );

    routes.patch(
      '/v1/monitor/servers/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'VALIDATION_ERROR'] },
        schema: {
          tags,
          summary: 'Change a monitored server',
          params: serverIdParams,
          body: updateServerSchema,
          response: { 200: serverSchema },
        },
      },
      async (request) => updateServer(deps, callerOf(request), request.params.id, request.body),
    );

    routes.delete(
      '/v1/monitor/servers/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Stop monitoring a server (its history goes with it)',
          params: serverIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deleteServer(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/monitor/servers/:id/poll',
      {
        config: {
          auth: write,
          errors: [
            'NOT_FOUND',
            'LICENSE_SERVER_UNREACHABLE',
            'LICENSE_QUERY_FAILED',
            'LICENSE_PARSE_ERROR',
            'COMMAND_EXECUTION_FAILED',
            'COMMAND_TIMEOUT',
          ],
        },
        schema: {
          tags,
          summary: 'Poll now (joins a poll in flight); a failed poll answers its error with details.pollId',
          params: serverIdParams,
          response: { 200: pollSchema },
        },
      },
      async (request) => pollNow(deps, request.params.id),
    );

    routes.get(
      '/v1/monitor/servers/:id/status',
      {
        config: { auth: read, errors: ['NOT_FOUND'] },
        schema: {
          operationId: 'monitor.servers.status',
          tags,
          summary: 'The server and its latest snapshot (null before any successful poll)',
          params: serverIdParams,
          response: { 200: serverStatusSchema },
        },
      },
      async (request) => serverStatus(deps, request.params.id),
    );

    routes.get(
      '/v1/monitor/polls',
      {
        config: { auth: read, errors: ['INVALID_QUERY', 'NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Poll history, newest first',
          querystring: pollListQuery,
          response: { 200: pageSchema(pollSummarySchema) },
        },
      },
      async (request) => pollPage(deps, request.query),
    );

    routes.get(
      '/v1/monitor/polls/:id',
      {
        config: { auth: read, errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'One poll with its raw output and snapshot',
          params: serverIdParams,
          response: { 200: pollSchema },
        },
      },
      async (request) => getPoll(deps, request.params.id),
    );

    routes.get(
      '/v1/monitor/features',
      {
        config: { auth: read, errors: ['INVALID_QUERY', 'NOT_FOUND'] },
        schema: {
          tags,
          summary:
            'Current usage per feature, with utilization, today’s peak and denials (by server, then feature)',
          querystring: featuresQuery,
          response: { 200: pageSchema(featureUsageSchema) },
        },
      },
      async (request) => featureUsagePage(deps, request.query),
    );

    routes.get(
      '/v1/monitor/sessions',
      {
        config: { auth: read, errors: ['INVALID_QUERY', 'NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Who holds which license now, since when (by server, feature, then start)',
          querystring: sessionsQuery,
          response: { 200: pageSchema(sessionSchema.extend({ serverId: z.string() })) },
        },
      },
      async (request) => sessionPage(deps, request.query),
    );

    routes.get(
      '/v1/monitor/denials',
      {
        config: { auth: read, errors: ['INVALID_QUERY', 'NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Refusals per server, feature and user in a range (default today), the most first',
          querystring: denialsQuery,
          response: { 200: pageSchema(denialCountSchema) },
        },
      },
      async (request) => denialPage(deps, request.query),
    );

    routes.get(
      '/v1/monitor/usage',
      {
        config: { auth: read, errors: ['INVALID_QUERY', 'NOT_FOUND'] },
        schema: {
          operationId: 'monitor.usage',
          tags,
          summary: 'Usage history of a server (or one feature), downsampled into buckets on read',
          querystring: usageQuery,
          response: {
            200: z.object({ bucket: z.enum(['5m', 'hour', 'day']), data: z.array(usagePointSchema) }),
          },
        },
      },
      async (request) => serverUsage(deps, request.query),
    );
  };
