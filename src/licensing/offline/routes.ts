// /v1/offline/activate and /v1/offline/deactivate: the operator's side of activating an air-gapped machine.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import type { ClientDeps } from '../client/checks.js';
import { activationErrors } from '../client/schemas.js';
import {
  offlineActivateBodySchema,
  offlineActivationSchema,
  offlineDeactivateBodySchema,
} from './schemas.js';
import { activateOffline, deactivateOffline } from './service.js';

export const offlineRoutes =
  (deps: ClientDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Offline activation'];
    const write = requireScope('machines:write');

    routes.post(
      '/v1/offline/activate',
      {
        config: {
          auth: write,
          errors: [
            'OFFLINE_REQUEST_INVALID',
            'OFFLINE_NOT_ALLOWED',
            'PRODUCT_NOT_ALLOWED',
            // An activation request names no product: no PRODUCT_MISMATCH.
            ...activationErrors.filter(
              (code) => code !== 'FLOATING_NOT_AVAILABLE' && code !== 'PRODUCT_MISMATCH',
            ),
          ],
        },
        schema: {
          tags,
          summary:
            'Activate an air-gapped machine from its request file: 201 with the machine and the license file to carry back',
          body: offlineActivateBodySchema,
          response: { 200: offlineActivationSchema, 201: offlineActivationSchema },
        },
      },
      async (request, reply) => {
        const { created, body } = await activateOffline(deps, callerOf(request), request.body.request);
        return reply.code(created ? 201 : 200).send(body);
      },
    );

    routes.post(
      '/v1/offline/deactivate',
      {
        config: {
          auth: write,
          errors: [
            'OFFLINE_REQUEST_INVALID',
            'OFFLINE_SIGNATURE_MISMATCH',
            'MACHINE_NOT_ACTIVATED',
            'DEACTIVATION_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Deactivate an air-gapped machine with the proof its client wrote (frees its slot)',
          body: offlineDeactivateBodySchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deactivateOffline(deps, callerOf(request), request.body.proof);
        return reply.code(204).send(null);
      },
    );
  };
