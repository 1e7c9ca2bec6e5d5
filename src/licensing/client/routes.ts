// The Client API (/v1/client/*): called by the vendor's software, authenticated by the license key in the body.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { mappedAnswerSerializer, noContentResponse } from '../../http/openapi.js';
import type { AuthRule } from '../../http/route-rules.js';
import {
  activateBodySchema,
  activationErrors,
  activationSchema,
  heartbeatResultSchema,
  licenseFileResultSchema,
  licenseStateErrors,
  machineBodySchema,
  trialBodySchema,
  trialResultSchema,
  validateBodySchema,
  validationResultSchema,
} from './schemas.js';
import { activate, type ClientDeps, deactivate, heartbeat, licenseFile, trial, validate } from './service.js';

const licenseKeyRule: AuthRule = { kind: 'license-key' };

export const clientRoutes =
  (deps: ClientDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Client API'];

    routes.post(
      '/v1/client/validate',
      {
        config: { auth: licenseKeyRule, errors: ['VALIDATION_ERROR', 'RATE_LIMIT_EXCEEDED'] },
        schema: {
          tags,
          summary:
            'Validate a license (and a machine): 200 with valid and the code of the first failing check',
          description:
            'Checks, in order: LICENSE_NOT_FOUND, LICENSE_REVOKED, LICENSE_SUSPENDED, PRODUCT_DISABLED, PRODUCT_MISMATCH, LICENSE_NOT_STARTED, TRIAL_EXPIRED, LICENSE_EXPIRED, DEVICE_BLOCKED, MACHINE_NOT_ACTIVATED, LEASE_NOT_FOUND (floating), HEARTBEAT_DEAD, MACHINE_LIMIT_EXCEEDED, FEATURE_NOT_ENTITLED. With a nonce the result is signed.',
          body: validateBodySchema,
          response: { 200: validationResultSchema },
        },
        serializerCompiler: mappedAnswerSerializer,
      },
      async (request) => validate(deps, request.body),
    );

    routes.post(
      '/v1/client/activate',
      {
        config: {
          auth: licenseKeyRule,
          errors: [...activationErrors, 'RATE_LIMIT_EXCEEDED'],
        },
        schema: {
          tags,
          summary:
            'Activate a machine: 201 with the machine, the license and a signed license file (200 when already active)',
          body: activateBodySchema,
          response: { 200: activationSchema, 201: activationSchema },
        },
        serializerCompiler: mappedAnswerSerializer,
      },
      async (request, reply) => {
        const { created, ...activation } = await activate(deps, request.body);
        return reply.code(created ? 201 : 200).send(activation);
      },
    );

    routes.post(
      '/v1/client/deactivate',
      {
        config: {
          auth: licenseKeyRule,
          errors: [
            'LICENSE_NOT_FOUND',
            'MACHINE_NOT_ACTIVATED',
            'DEACTIVATION_LIMIT_EXCEEDED',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Deactivate this machine (frees its slot)',
          body: machineBodySchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deactivate(deps, request.body);
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/client/trial',
      {
        config: {
          auth: licenseKeyRule,
          // Random fingerprints from one address get no more than CHARTER_RATE_LIMIT_TRIAL_IP trials an hour.
          addressQuota: 'trial',
          errors: [
            'TRIAL_NOT_ALLOWED',
            'UNKNOWN_PRODUCT',
            'VALIDATION_ERROR',
            'DEVICE_BLOCKED',
            'PRODUCT_DISABLED',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            "Start a trial on this device: a trial license under the product's trial settings, activated here",
          body: trialBodySchema,
          response: { 201: trialResultSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await trial(deps, request.body)),
    );

    routes.post(
      '/v1/client/license-file',
      {
        config: {
          auth: licenseKeyRule,
          errors: [...licenseStateErrors, 'MACHINE_NOT_ACTIVATED', 'HEARTBEAT_DEAD', 'RATE_LIMIT_EXCEEDED'],
        },
        schema: {
          tags,
          summary: 'A fresh signed license file for this activated machine',
          body: machineBodySchema,
          response: { 200: licenseFileResultSchema },
        },
      },
      async (request) => licenseFile(deps, request.body),
    );

    routes.post(
      '/v1/client/heartbeat',
      {
        config: {
          auth: licenseKeyRule,
          errors: [
            'LICENSE_NOT_FOUND',
            'MACHINE_NOT_ACTIVATED',
            'HEARTBEAT_DEAD',
            'LEASE_NOT_FOUND',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Keep this machine alive and extend the leases it holds',
          body: machineBodySchema,
          response: { 200: heartbeatResultSchema },
        },
        serializerCompiler: mappedAnswerSerializer,
      },
      async (request) => heartbeat(deps, request.body),
    );
  };
