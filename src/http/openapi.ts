// The OpenAPI 3.1 document: route schemas (Zod, via @fastify/swagger) plus the error contract: the `Error`
// component from the envelope schema, and on every operation the statuses of its declared catalog codes
// and a `default` response, all referencing `Error`.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { catalog, type ErrorCode } from '../errors/catalog.js';
import { errorEnvelopeSchema, oauthErrorEnvelopeSchema } from '../errors/envelope.js';
import type { RouteRegistry } from './route-rules.js';

const errorResponse = (description: string, component: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: `#/components/schemas/${component}` } } },
});

const componentOf = (schema: z.ZodType): Record<string, unknown> => {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12' }) as Record<
    string,
    unknown
  >;
  return json;
};

/** The response of routes that answer 204: in the document, a 204 without content (instead of a default 200). */
export const noContentResponse = { 204: z.null().describe('Done; no body') };

export const errorComponent = (): Record<string, unknown> => componentOf(errorEnvelopeSchema);

const toFastifyPath = (openApiPath: string) => openApiPath.replace(/\{([^}]+)\}/g, ':$1');

type Operation = { responses?: Record<string, unknown>; parameters?: unknown[] };
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type OpenApiDocument = {
  paths?: Record<string, Record<string, Operation>>;
  components?: { schemas?: Record<string, unknown> };
};

export const registerOpenApi = async (app: FastifyInstance): Promise<void> => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Charter API',
        version: '1',
        description:
          'Self-hosted licensing server: the Management API (API keys, OAuth tokens, operator sessions) and the Client API (license keys). Every error answers with the `Error` envelope; see /docs/errors.',
      },
    },
    transform: jsonSchemaTransform,
  });
};

/** Builds the served document once the app is ready (routes no longer change after that). */
export const buildOpenApiDocument = (app: FastifyInstance, registry: RouteRegistry): OpenApiDocument => {
  const document = structuredClone(app.swagger()) as OpenApiDocument;
  document.components = {
    ...document.components,
    schemas: {
      ...document.components?.schemas,
      Error: errorComponent(),
      OAuthError: componentOf(oauthErrorEnvelopeSchema),
    },
  };
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(operations)) {
      const route = registry.find(method.toUpperCase(), toFastifyPath(path));
      const byStatus = new Map<number, ErrorCode[]>();
      // Every mutating Management route takes an Idempotency-Key (http/idempotency.ts).
      const idempotent = route?.auth.kind === 'scope' && unsafeMethods.has(method.toUpperCase());
      if (idempotent) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          {
            in: 'header',
            name: 'Idempotency-Key',
            required: false,
            schema: { type: 'string', minLength: 1, maxLength: 255 },
            description:
              'Replays the first answer for 24 h (same credential, key and request); another request with the key: 409 IDEMPOTENCY_KEY_REUSED',
          },
        ];
      }
      const documented: ErrorCode[] = [
        ...(route?.errors ?? []),
        ...(idempotent ? (['IDEMPOTENCY_KEY_REUSED', 'CONFLICT'] as const) : []),
        // A product-restricted credential is refused every route of the whole server's resources (auth.ts).
        ...(route?.auth.kind === 'scope' && route.auth.reach === 'server'
          ? (['PRODUCT_NOT_ALLOWED'] as const)
          : []),
      ];
      for (const code of new Set(documented)) {
        const status = catalog[code].status;
        byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
      }
      const responses: Record<string, unknown> = { ...operation.responses };
      // A success answer in another media type than JSON: its body schema, under that type.
      const success = responses['200'] as { content?: Record<string, unknown> } | undefined;
      if (route?.produces && success?.content) {
        const [schema] = Object.values(success.content);
        success.content = { [route.produces]: schema };
      }
      for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
        responses[String(status)] = errorResponse(codes.join(' | '), route?.errorSchema ?? 'Error');
      }
      responses.default = errorResponse(
        'Any other error of the catalog (see /docs/errors)',
        route?.errorSchema ?? 'Error',
      );
      operation.responses = responses;
    }
  }
  return document;
};

/**
 * For the Client API's hot routes: their answers are built field by field by the mapping functions (toLicense,
 * toMachine, toLease), so they are written with JSON.stringify rather than parsed again by the response schema,
 * which still documents them; tests hold every such answer to its schema.
 */
export const mappedAnswerSerializer = () => (data: unknown) => JSON.stringify(data);
