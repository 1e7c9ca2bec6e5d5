// The Client API (/v1/client/*): called by the vendor's software, authenticated by the license key in the body:
// validate, machines (activate, deactivate, heartbeat, license file), trials, floating seats and meters.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { mappedAnswerSerializer, noContentResponse } from '../../http/openapi.js';
import type { AuthRule } from '../../http/route-rules.js';
import { activate, deactivate, heartbeat, licenseFile } from './activation.js';
import type { ClientDeps } from './checks.js';
import { consume } from './consume.js';
import {
  activateBodySchema,
  activationErrors,
  activationSchema,
  borrowBodySchema,
  borrowResultSchema,
  checkoutSchema,
  consumeBodySchema,
  featureLeaseSchema,
  featureParams,
  heartbeatResultSchema,
  licenseFileResultSchema,
  licenseStateErrors,
  machineBodySchema,
  meterSchema,
  trialBodySchema,
  trialResultSchema,
  validateBodySchema,
  validationResultSchema,
} from './schemas.js';
import { borrow, checkout, featureCheckout, featureRelease, release } from './seats.js';
import { trial } from './trial.js';
import { validate } from './validate.js';

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
            "Checks, in order: LICENSE_NOT_FOUND, LICENSE_REVOKED, LICENSE_SUSPENDED, PRODUCT_DISABLED, PRODUCT_MISMATCH (productCode neither the license's product nor, for a bundle's license, a member; a member's own PRODUCT_DISABLED follows), LICENSE_NOT_STARTED, TRIAL_EXPIRED, LICENSE_EXPIRED, DEVICE_BLOCKED, MACHINE_NOT_ACTIVATED, LEASE_NOT_FOUND (floating), HEARTBEAT_DEAD, MACHINE_LIMIT_EXCEEDED, FEATURE_NOT_ENTITLED. With a nonce the result is signed.",
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
            'PRODUCT_MISMATCH',
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
            'PRODUCT_MISMATCH',
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
    routes.post(
      '/v1/client/checkout',
      {
        config: {
          auth: licenseKeyRule,
          errors: [
            ...licenseStateErrors,
            'NOT_FLOATING',
            'FLOATING_NOT_AVAILABLE',
            'PRODUCT_ARCHIVED',
            'CUSTOMER_INACTIVE',
            'DEVICE_BLOCKED',
            'VM_NOT_ALLOWED',
            'LICENSE_USER_NOT_FOUND',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            'Check out a seat of a floating license for leaseSeconds: 201 with the lease and a license file (200 and extended when already held)',
          body: activateBodySchema,
          response: { 200: checkoutSchema, 201: checkoutSchema },
        },
        serializerCompiler: mappedAnswerSerializer,
      },
      async (request, reply) => {
        const { created, ...result } = await checkout(deps, request.body);
        return reply.code(created ? 201 : 200).send(result);
      },
    );

    routes.post(
      '/v1/client/borrow',
      {
        config: {
          auth: licenseKeyRule,
          errors: [
            ...licenseStateErrors,
            'NOT_FLOATING',
            'BORROW_NOT_ALLOWED',
            'BORROW_UNTIL_INVALID',
            'LEASE_NOT_FOUND',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Keep the held seat until `until` without heartbeats (within maxBorrowSeconds)',
          body: borrowBodySchema,
          response: { 200: borrowResultSchema },
        },
      },
      async (request) => borrow(deps, request.body),
    );

    routes.post(
      '/v1/client/release',
      {
        config: {
          auth: licenseKeyRule,
          errors: [
            'LICENSE_NOT_FOUND',
            'PRODUCT_MISMATCH',
            'NOT_FLOATING',
            'LEASE_NOT_FOUND',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: "Release the held seat (and this machine's feature seats)",
          body: machineBodySchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await release(deps, request.body);
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/client/features/:code/checkout',
      {
        config: {
          auth: licenseKeyRule,
          errors: [
            ...licenseStateErrors,
            'FEATURE_NOT_ENTITLED',
            'NOT_FLOATING',
            'FLOATING_NOT_AVAILABLE',
            'LEASE_NOT_FOUND',
            'MACHINE_NOT_ACTIVATED',
            'HEARTBEAT_DEAD',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            'Check out a seat of a floating feature: 201 with the lease (200 and extended when already held)',
          params: featureParams,
          body: machineBodySchema,
          response: { 200: featureLeaseSchema, 201: featureLeaseSchema },
        },
      },
      async (request, reply) => {
        const { created, lease } = await featureCheckout(deps, request.params.code, request.body);
        return reply.code(created ? 201 : 200).send({ lease });
      },
    );

    routes.post(
      '/v1/client/features/:code/release',
      {
        config: {
          auth: licenseKeyRule,
          errors: [
            'LICENSE_NOT_FOUND',
            'PRODUCT_MISMATCH',
            'FEATURE_NOT_ENTITLED',
            'NOT_FLOATING',
            'LEASE_NOT_FOUND',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Release the held seat of a floating feature',
          params: featureParams,
          body: machineBodySchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await featureRelease(deps, request.params.code, request.body);
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/client/consume',
      {
        config: {
          auth: licenseKeyRule,
          errors: [
            ...licenseStateErrors,
            'NOT_CONSUMPTION',
            'CONSUMPTION_LIMIT_EXCEEDED',
            'NEGATIVE_CONSUMPTION_NOT_ALLOWED',
            'FEATURE_NOT_ENTITLED',
            'MACHINE_NOT_ACTIVATED',
            'VALIDATION_ERROR',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            "Add to the license's meter or a consumption feature's (a negative amount credits, where allowed)",
          body: consumeBodySchema,
          response: { 200: meterSchema },
        },
      },
      async (request) => consume(deps, request.body),
    );
  };
