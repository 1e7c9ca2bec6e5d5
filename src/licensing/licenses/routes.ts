// /v1/licenses and its actions: suspend, reinstate, revoke, renew, transfer.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import { applyLicenseAction } from './actions.js';
import { createLicense } from './issue.js';
import type { LicenseDeps } from './present.js';
import {
  createLicenseSchema,
  licenseCountsQuery,
  licenseCountsSchema,
  licenseIdParams,
  licenseListQuery,
  licenseSchema,
  transferSchema,
  updateLicenseSchema,
} from './schemas.js';
import { deleteLicense, getLicense, licenseCountsByStatus, licensePage, updateLicense } from './service.js';
import type { LicenseAction } from './state.js';

/** The approval kind (CHARTER_REQUIRE_APPROVAL) of each state action's route: renewing extends the license. */
const actionApprovalKinds: Record<Exclude<LicenseAction, 'transfer'>, string> = {
  suspend: 'suspend_license',
  reinstate: 'reinstate_license',
  revoke: 'revoke_license',
  renew: 'extend_license',
};

/** A PATCH that sets maxMachines is set_max_machines; one that sets expiresAt, extend_license. */
const patchApprovalKind = (body: unknown): string | undefined => {
  const patch = (body ?? {}) as { maxMachines?: unknown; expiresAt?: unknown };
  if (patch.maxMachines !== undefined) return 'set_max_machines';
  if (patch.expiresAt !== undefined) return 'extend_license';
  return undefined;
};

const actionSummaries: Record<Exclude<LicenseAction, 'transfer'>, string> = {
  suspend: 'Suspend a license (active → suspended)',
  reinstate: 'Reinstate a suspended license',
  revoke: 'Revoke a license (final)',
  renew: "Renew a license: extend expiresAt by the policy's duration",
};

export const licenseRoutes =
  (deps: LicenseDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Licenses'];
    const read = requireScope('licenses:read');
    const write = requireScope('licenses:write');

    routes.post(
      '/v1/licenses',
      {
        config: {
          auth: write,
          errors: [
            'ALREADY_EXISTS',
            'UNKNOWN_POLICY',
            'UNKNOWN_PRODUCT',
            'UNKNOWN_CUSTOMER',
            'PRODUCT_ARCHIVED',
            'PRODUCT_NOT_ALLOWED',
          ],
        },
        schema: {
          tags,
          summary: 'Issue a license',
          body: createLicenseSchema,
          response: { 201: licenseSchema },
        },
      },
      async (request, reply) => {
        const license = await createLicense(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/licenses/${license.id}`).send(license);
      },
    );

    routes.get(
      '/v1/licenses',
      {
        config: { auth: read, errors: ['INVALID_QUERY', 'VALIDATION_ERROR', 'NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary:
            'List licenses (filter by status, product, policy, customer, or find by key or key prefix)',
          querystring: licenseListQuery,
          response: { 200: pageSchema(licenseSchema) },
        },
      },
      async (request) => licensePage(deps, request.principal, request.query),
    );

    routes.get(
      '/v1/licenses/counts',
      {
        config: { auth: read, errors: ['INVALID_QUERY', 'VALIDATION_ERROR', 'NOT_FOUND', 'GONE'] },
        schema: {
          operationId: 'licenses.counts',
          tags,
          summary: 'How many licenses are active, suspended, revoked and expired (within the filters)',
          querystring: licenseCountsQuery,
          response: { 200: licenseCountsSchema },
        },
      },
      async (request) => licenseCountsByStatus(deps, request.principal, request.query),
    );

    routes.get(
      '/v1/licenses/:id',
      {
        config: { auth: read, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Read a license',
          params: licenseIdParams,
          response: { 200: licenseSchema },
        },
      },
      async (request) => getLicense(deps, request.principal, request.params.id),
    );

    routes.patch(
      '/v1/licenses/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE', 'FORBIDDEN'], approvalKind: patchApprovalKind },
        schema: {
          tags,
          summary: 'Update expiresAt, maxMachines, features or metadata',
          params: licenseIdParams,
          body: updateLicenseSchema,
          response: { 200: licenseSchema },
        },
      },
      async (request) => updateLicense(deps, callerOf(request), request.params.id, request.body),
    );

    routes.delete(
      '/v1/licenses/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Delete a license (soft: reads answer 410 afterwards)',
          params: licenseIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deleteLicense(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    for (const [action, summary] of Object.entries(actionSummaries) as [
      Exclude<LicenseAction, 'transfer'>,
      string,
    ][]) {
      routes.post(
        `/v1/licenses/:id/${action}`,
        {
          config: {
            auth: write,
            errors: ['NOT_FOUND', 'GONE', 'INVALID_TRANSITION', 'FORBIDDEN'],
            approvalKind: actionApprovalKinds[action],
          },
          schema: { tags, summary, params: licenseIdParams, response: { 200: licenseSchema } },
        },
        async (request) => applyLicenseAction(deps, callerOf(request), request.params.id, action),
      );
    }

    routes.post(
      '/v1/licenses/:id/transfer',
      {
        config: {
          auth: write,
          errors: ['NOT_FOUND', 'GONE', 'INVALID_TRANSITION', 'TRANSFER_LIMIT_EXCEEDED', 'UNKNOWN_CUSTOMER'],
        },
        schema: {
          tags,
          summary: 'Transfer a license to another customer (counts against maxTransfers)',
          params: licenseIdParams,
          body: transferSchema,
          response: { 200: licenseSchema },
        },
      },
      async (request) =>
        applyLicenseAction(deps, callerOf(request), request.params.id, 'transfer', request.body),
    );
  };
