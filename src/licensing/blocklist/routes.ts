// /v1/blocklist.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { listQuerySchema, pageSchema, recordFilter } from '../../http/pagination.js';
import type { CatalogDeps } from '../products/service.js';
import { blockPage, createBlock, getBlock, removeBlock } from './service.js';

export const fingerprintSchema = z.string().min(1).max(255);

const blockSchema = z
  .object({
    id: z.string(),
    fingerprint: z.string(),
    productId: z.string().nullable(),
    reason: z.string().nullable(),
    createdAt: z.string(),
  })
  .meta({ id: 'BlocklistEntry' });
const createBlockSchema = z.strictObject({
  fingerprint: fingerprintSchema,
  productId: z
    .string()
    .min(1)
    .max(64)
    .nullable()
    .optional()
    .describe('Product id or code; null or absent blocks on every product'),
  reason: z.string().max(500).nullable().optional(),
});
const idParams = z.object({ id: z.string().min(1).max(64) });
const listQuery = listQuerySchema({
  fingerprint: fingerprintSchema.optional(),
  productId: recordFilter('A product by id or code'),
});

export const blocklistRoutes =
  (deps: CatalogDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Blocklist'];
    const db = deps.db.kysely;

    routes.post(
      '/v1/blocklist',
      {
        config: {
          auth: requireScope('licenses:write'),
          errors: ['UNKNOWN_PRODUCT', 'PRODUCT_NOT_ALLOWED', 'FORBIDDEN'],
          approvalKind: 'block_device',
        },
        schema: {
          tags,
          summary: 'Block a device fingerprint',
          body: createBlockSchema,
          response: { 201: blockSchema },
        },
      },
      async (request, reply) => {
        const block = await createBlock(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/blocklist/${block.id}`).send(block);
      },
    );

    routes.get(
      '/v1/blocklist',
      {
        config: { auth: requireScope('licenses:read'), errors: ['INVALID_QUERY', 'NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'List blocked fingerprints',
          querystring: listQuery,
          response: { 200: pageSchema(blockSchema) },
        },
      },
      async (request) => blockPage(db, callerOf(request), request.query),
    );

    routes.get(
      '/v1/blocklist/:id',
      {
        config: { auth: requireScope('licenses:read'), errors: ['NOT_FOUND'] },
        schema: { tags, summary: 'Read a blocklist entry', params: idParams, response: { 200: blockSchema } },
      },
      async (request) => getBlock(db, callerOf(request), request.params.id),
    );

    routes.delete(
      '/v1/blocklist/:id',
      {
        config: { auth: requireScope('licenses:write'), errors: ['NOT_FOUND'] },
        schema: { tags, summary: 'Unblock a fingerprint', params: idParams, response: noContentResponse },
      },
      async (request, reply) => {
        await removeBlock(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );
  };
