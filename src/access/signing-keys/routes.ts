// /v1/signing-keys (list, read, rotate, retire) and the public /v1/public-keys that clients verify with.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Database } from '../../db/connection.js';
import { publicRoute } from '../../http/route-rules.js';
import type { Clock } from '../../lib/clock.js';
import type { Sealer } from '../../lib/sealing.js';
import { auditContextOf } from '../caller.js';
import { requireScope } from '../scopes.js';
import { kidParams, publicKeyListSchema, signingKeyListSchema, signingKeyViewSchema } from './schemas.js';
import {
  getSigningKeyOrThrow,
  type KeyRing,
  retireSigningKey,
  rotateSigningKey,
  signingKeyList,
} from './service.js';

export const signingKeyRoutes =
  (deps: { db: Database; clock: Clock; sealer: Sealer; keyRing: KeyRing }) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Signing keys'];

    routes.get(
      '/v1/public-keys',
      {
        config: { auth: publicRoute },
        schema: {
          tags,
          summary: 'The public keys that verify signed validations, license files and access tokens',
          description:
            'No credential needed. Keys with status retired no longer verify: what they signed is to be refused.',
          response: { 200: publicKeyListSchema },
        },
      },
      async () => ({
        data: (await signingKeyList(deps.db.kysely)).map(({ updatedAt: _updatedAt, ...key }) => key),
      }),
    );

    routes.get(
      '/v1/signing-keys',
      {
        config: { auth: requireScope('keys:read') },
        schema: {
          tags,
          summary:
            'List the signing keys: the active one, then verify_only, then retired (never their private halves)',
          response: { 200: signingKeyListSchema },
        },
      },
      async () => ({ data: await signingKeyList(deps.db.kysely), nextCursor: null }),
    );

    routes.post(
      '/v1/signing-keys',
      {
        config: { auth: requireScope('keys:write') },
        schema: {
          operationId: 'signingKeys.rotate',
          tags,
          summary: 'Rotate: a new active key signs from now on; the previous one moves to verify_only',
          response: { 201: signingKeyViewSchema },
        },
      },
      async (request, reply) => {
        const key = await rotateSigningKey(deps, auditContextOf(request));
        return reply.code(201).header('location', `/v1/signing-keys/${key.kid}`).send(key);
      },
    );

    routes.get(
      '/v1/signing-keys/:kid',
      {
        config: { auth: requireScope('keys:read'), errors: ['NOT_FOUND'] },
        schema: {
          tags,
          summary: 'Read a signing key',
          params: kidParams,
          response: { 200: signingKeyViewSchema },
        },
      },
      async (request) => getSigningKeyOrThrow(deps.db.kysely, request.params.kid),
    );

    routes.post(
      '/v1/signing-keys/:kid/retire',
      {
        config: { auth: requireScope('keys:write'), errors: ['NOT_FOUND', 'INVALID_TRANSITION'] },
        schema: {
          tags,
          summary: 'Retire a verify_only key: what it signed stops verifying (final)',
          params: kidParams,
          response: { 200: signingKeyViewSchema },
        },
      },
      async (request) => retireSigningKey(deps, auditContextOf(request), request.params.kid),
    );
  };
