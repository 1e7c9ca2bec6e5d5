// The Client API's floating seats and meters: checkout, borrow, release, feature seats, consume.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { mappedAnswerSerializer, noContentResponse } from '../../http/openapi.js';
import type { AuthRule } from '../../http/route-rules.js';
import {
  activateBodySchema,
  borrowBodySchema,
  borrowResultSchema,
  checkoutSchema,
  consumeBodySchema,
  featureLeaseSchema,
  featureParams,
  licenseStateErrors,
  machineBodySchema,
  meterSchema,
} from './schemas.js';
import {
  borrow,
  type ClientDeps,
  checkout,
  consume,
  featureCheckout,
  featureRelease,
  release,
} from './service.js';

const licenseKeyRule: AuthRule = { kind: 'license-key' };

export const clientSeatRoutes =
  (deps: ClientDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Client API'];

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
          errors: ['LICENSE_NOT_FOUND', 'NOT_FLOATING', 'LEASE_NOT_FOUND', 'RATE_LIMIT_EXCEEDED'],
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
