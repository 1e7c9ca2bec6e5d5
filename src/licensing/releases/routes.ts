// /v1/releases (Management) and the Client API's /v1/client/versions and /v1/client/installation-file.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import type { Database } from '../../db/connection.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import type { AuthRule } from '../../http/route-rules.js';
import type { Clock } from '../../lib/clock.js';
import {
  createReleaseSchema,
  installationFileBodySchema,
  installationFileSchema,
  releaseIdParams,
  releaseListQuery,
  releaseSchema,
  updateReleaseSchema,
  versionsBodySchema,
} from './schemas.js';
import {
  createRelease,
  deleteRelease,
  getRelease,
  installableReleases,
  installationFile,
  releasePage,
  updateRelease,
} from './service.js';

const licenseKeyRule: AuthRule = { kind: 'license-key' };
const licenseErrors = [
  'LICENSE_NOT_FOUND',
  'PRODUCT_MISMATCH',
  'ACTIVE_LICENSE_REQUIRED',
  'RATE_LIMIT_EXCEEDED',
] as const;

export const releaseRoutes =
  (deps: { db: Database; clock: Clock }) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Releases'];

    routes.post(
      '/v1/releases',
      {
        config: {
          auth: requireScope('releases:write'),
          errors: ['VALIDATION_ERROR', 'UNKNOWN_PRODUCT', 'PRODUCT_NOT_ALLOWED', 'ALREADY_EXISTS'],
        },
        schema: {
          tags,
          summary: 'Publish a release (a semver version, with a file per platform)',
          body: createReleaseSchema,
          response: { 201: releaseSchema },
        },
      },
      async (request, reply) => {
        const release = await createRelease(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/releases/${release.id}`).send(release);
      },
    );

    routes.get(
      '/v1/releases',
      {
        config: { auth: requireScope('releases:read'), errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'List releases (filter by productId, channel)',
          querystring: releaseListQuery,
          response: { 200: pageSchema(releaseSchema) },
        },
      },
      async (request) => releasePage(deps, callerOf(request), request.query),
    );

    routes.get(
      '/v1/releases/:id',
      {
        config: { auth: requireScope('releases:read'), errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Read a release',
          params: releaseIdParams,
          response: { 200: releaseSchema },
        },
      },
      async (request) => getRelease(deps, callerOf(request), request.params.id),
    );

    routes.patch(
      '/v1/releases/:id',
      {
        config: { auth: requireScope('releases:write'), errors: ['NOT_FOUND', 'VALIDATION_ERROR'] },
        schema: {
          tags,
          summary: 'Change a release’s channel, publication time, files or notes',
          params: releaseIdParams,
          body: updateReleaseSchema,
          response: { 200: releaseSchema },
        },
      },
      async (request) => updateRelease(deps, callerOf(request), request.params.id, request.body),
    );

    routes.delete(
      '/v1/releases/:id',
      {
        config: { auth: requireScope('releases:write'), errors: ['NOT_FOUND'] },
        schema: { tags, summary: 'Withdraw a release', params: releaseIdParams, response: noContentResponse },
      },
      async (request, reply) => {
        await deleteRelease(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/client/versions',
      {
        config: { auth: licenseKeyRule, errors: [...licenseErrors, 'VALIDATION_ERROR'] },
        schema: {
          tags: ['Client API'],
          summary:
            'The releases this license may install, newest first (under maintenance expiry: those published before its end)',
          body: versionsBodySchema,
          response: { 200: pageSchema(releaseSchema).pick({ data: true }) },
        },
      },
      async (request) => ({
        data: await installableReleases(
          deps,
          request.body.licenseKey,
          request.body.channel,
          request.body.productCode,
        ),
      }),
    );

    routes.post(
      '/v1/client/installation-file',
      {
        config: { auth: licenseKeyRule, errors: [...licenseErrors, 'VERSION_NOT_FOUND', 'VALIDATION_ERROR'] },
        schema: {
          tags: ['Client API'],
          summary:
            'The file to install for a platform: the given version, or the newest this license may install',
          body: installationFileBodySchema,
          response: { 200: installationFileSchema },
        },
      },
      async (request) => installationFile(deps, request.body),
    );
  };
