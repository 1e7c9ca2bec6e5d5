// /v1/products, /v1/products/{id}/members (bundles only) and /v1/products/{id}/features.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { callerOf } from '../../access/caller.js';
import { requireScope } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import {
  createFeatureSchema,
  createProductSchema,
  featureListQuery,
  featureParams,
  featureSchema,
  productIdParams,
  productListQuery,
  productMembersSchema,
  productSchema,
  setMembersSchema,
  updateFeatureSchema,
  updateProductSchema,
} from './schemas.js';
import {
  type CatalogDeps,
  createFeature,
  createProduct,
  deleteFeature,
  deleteProduct,
  featurePage,
  getFeature,
  getProduct,
  productMembers,
  productPage,
  setProductMembers,
  updateFeature,
  updateProduct,
} from './service.js';

export const productRoutes =
  (deps: CatalogDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Products'];
    const read = requireScope('products:read');
    const write = requireScope('products:write');
    const db = deps.db.kysely;

    routes.post(
      '/v1/products',
      {
        config: { auth: write, errors: ['ALREADY_EXISTS', 'PRODUCT_NOT_ALLOWED'] },
        schema: {
          tags,
          summary: 'Create a product',
          body: createProductSchema,
          response: { 201: productSchema },
        },
      },
      async (request, reply) => {
        const product = await createProduct(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/products/${product.id}`).send(product);
      },
    );

    routes.get(
      '/v1/products',
      {
        config: { auth: read, errors: ['INVALID_QUERY'] },
        schema: {
          tags,
          summary: 'List products',
          querystring: productListQuery,
          response: { 200: pageSchema(productSchema) },
        },
      },
      async (request) => productPage(db, request.principal, request.query),
    );

    routes.get(
      '/v1/products/:id',
      {
        config: { auth: read, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Read a product',
          params: productIdParams,
          response: { 200: productSchema },
        },
      },
      async (request) => getProduct(db, request.principal, request.params.id),
    );

    routes.patch(
      '/v1/products/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Update a product (name, status, license model, trial, metadata)',
          params: productIdParams,
          body: updateProductSchema,
          response: { 200: productSchema },
        },
      },
      async (request) => updateProduct(deps, callerOf(request), request.params.id, request.body),
    );

    routes.delete(
      '/v1/products/:id',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Delete a product (soft: reads answer 410 afterwards)',
          params: productIdParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deleteProduct(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    routes.get(
      '/v1/products/:id/members',
      {
        config: { auth: read, errors: ['NOT_FOUND', 'GONE', 'PRODUCT_NOT_BUNDLE'] },
        schema: {
          tags,
          summary: "List a bundle's member products (422 PRODUCT_NOT_BUNDLE on a standard product)",
          params: productIdParams,
          response: { 200: productMembersSchema },
        },
      },
      async (request) => productMembers(db, request.principal, request.params.id),
    );

    routes.put(
      '/v1/products/:id/members',
      {
        config: {
          auth: write,
          errors: ['NOT_FOUND', 'GONE', 'PRODUCT_NOT_BUNDLE', 'UNKNOWN_PRODUCT', 'VALIDATION_ERROR'],
        },
        schema: {
          tags,
          summary: "Set a bundle's member products (the whole list; standard products only)",
          // PUT on the list replaces it: named as a PUT on one resource is (deriveOperationId's verb).
          operationId: 'products.members.replace',
          description:
            "A license of the bundle validates and activates with the productCode of the bundle or of any member. Members are standard products (a bundle in a bundle is refused with VALIDATION_ERROR); a standard product's members answer 422 PRODUCT_NOT_BUNDLE.",
          params: productIdParams,
          body: setMembersSchema,
          response: { 200: productMembersSchema },
        },
      },
      async (request) => setProductMembers(deps, callerOf(request), request.params.id, request.body),
    );

    routes.post(
      '/v1/products/:id/features',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE', 'ALREADY_EXISTS'] },
        schema: {
          tags,
          summary: 'Add a feature to a product',
          params: productIdParams,
          body: createFeatureSchema,
          response: { 201: featureSchema },
        },
      },
      async (request, reply) => {
        const feature = await createFeature(deps, callerOf(request), request.params.id, request.body);
        return reply
          .code(201)
          .header('location', `/v1/products/${feature.productId}/features/${feature.id}`)
          .send(feature);
      },
    );

    routes.get(
      '/v1/products/:id/features',
      {
        config: { auth: read, errors: ['NOT_FOUND', 'GONE', 'INVALID_QUERY'] },
        schema: {
          tags,
          summary: "List a product's features",
          params: productIdParams,
          querystring: featureListQuery,
          response: { 200: pageSchema(featureSchema) },
        },
      },
      async (request) => featurePage(db, request.principal, request.params.id, request.query),
    );

    routes.get(
      '/v1/products/:id/features/:featureId',
      {
        config: { auth: read, errors: ['NOT_FOUND', 'GONE'] },
        schema: { tags, summary: 'Read a feature', params: featureParams, response: { 200: featureSchema } },
      },
      async (request) => getFeature(db, request.principal, request.params.id, request.params.featureId),
    );

    routes.patch(
      '/v1/products/:id/features/:featureId',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Update a feature (name, seats, maxConsumption)',
          params: featureParams,
          body: updateFeatureSchema,
          response: { 200: featureSchema },
        },
      },
      async (request) =>
        updateFeature(deps, callerOf(request), request.params.id, request.params.featureId, request.body),
    );

    routes.delete(
      '/v1/products/:id/features/:featureId',
      {
        config: { auth: write, errors: ['NOT_FOUND', 'GONE'] },
        schema: { tags, summary: 'Remove a feature', params: featureParams, response: noContentResponse },
      },
      async (request, reply) => {
        await deleteFeature(deps, callerOf(request), request.params.id, request.params.featureId);
        return reply.code(204).send(null);
      },
    );
  };
