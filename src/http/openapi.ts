// The OpenAPI 3.1 document: route schemas (Zod, via @fastify/swagger; schemas with a registry id, such as
// `License`, become named components), and what the routes declare beside them: each operation's id, its
// security requirements from its auth rule, request bodies as named components, and the error contract — the
// `ErrorEnvelope` component from the envelope schema, and on every operation the statuses of its declared
// catalog codes, each with an example per code, and a `default` response, all referencing `ErrorEnvelope`.
import swagger from '@fastify/swagger';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { catalog, docsLink, type ErrorCode } from '../errors/catalog.js';
import { errorEnvelopeSchema, oauthErrorEnvelopeSchema } from '../errors/envelope.js';
import type { AuthRule, RouteRecord, RouteRegistry } from './route-rules.js';

const ref = (component: string) => ({ $ref: `#/components/schemas/${component}` });

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

/** What an error of this code looks like on the wire: the example under each documented error status. */
const exampleEnvelope = (code: ErrorCode, extra: RouteRecord['errorExtra']) => ({
  ...extra?.(code),
  code,
  message: catalog[code].title,
  status: catalog[code].status,
  retryable: catalog[code].retryable,
  requestId: 'req_01JF3ZPZ6R4NQW2V8XG0S7K1YB',
  timestamp: '2026-01-15T09:30:00.000Z',
  docs: docsLink(code),
});

/**
 * An error response: the envelope's schema and one example per code. The examples of plain envelopes are
 * components (`#/components/examples/<CODE>`), written once however many operations answer the code.
 */
const errorResponse = (
  description: string,
  component: string,
  codes: readonly ErrorCode[],
  extra: RouteRecord['errorExtra'],
  examples: Record<string, unknown>,
) => ({
  description,
  content: {
    'application/json': {
      schema: ref(component),
      ...(codes.length > 0 && {
        examples: Object.fromEntries(
          codes.map((code) => {
            const example = { summary: catalog[code].title, value: exampleEnvelope(code, extra) };
            if (extra) return [code, example];
            examples[code] ??= example;
            return [code, { $ref: `#/components/examples/${code}` }];
          }),
        ),
      }),
    },
  },
});

const toFastifyPath = (openApiPath: string) => openApiPath.replace(/\{([^}]+)\}/g, ':$1');

type Operation = {
  operationId?: string;
  security?: Record<string, string[]>[];
  responses?: Record<string, unknown>;
  parameters?: unknown[];
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
};
const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

type OpenApiDocument = {
  servers?: unknown[];
  paths?: Record<string, Record<string, Operation>> | undefined;
  components?: {
    schemas?: Record<string, unknown>;
    securitySchemes?: Record<string, unknown>;
    examples?: Record<string, unknown>;
  };
};

/**
 * How credentials appear in the document: the security schemes, and the requirements of each auth rule (an
 * empty list for routes that take no Management credential). Given by the access domain, which knows them.
 */
export interface OpenApiSecurity {
  schemes: Record<string, unknown>;
  requirements(rule: AuthRule): Record<string, string[]>[];
  /** The refusals of a route's credential check, documented on each operation with the route's own codes. */
  errors(rule: AuthRule, method: string): readonly ErrorCode[];
}

export const registerOpenApi = async (app: FastifyInstance): Promise<void> => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Charter API',
        version: '1',
        description:
          'Self-hosted licensing server: the Management API (API keys, OAuth tokens, operator sessions) and the Client API (license keys). Every error answers with the `ErrorEnvelope`; see /docs/errors.',
        license: { name: 'Proprietary', url: '/docs' },
      },
      servers: [
        { url: '/', description: 'This Charter server (every path is relative to where it is served)' },
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
};

const camel = (segment: string) => segment.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());
const pascal = (words: string) =>
  words
    .split(/[.]/)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join('');

/**
 * An operation's id when its route sets none: the resource path's static segments in camelCase, then what the
 * method does to it — `licenses.list`, `licenses.create`, `licenses.get`, `licenses.update`, `licenses.delete`,
 * and an action's own name (`licenses.suspend`, `client.validate`). Routes outside /v1 are `service.*`.
 */
export const deriveOperationId = (
  method: string,
  path: string,
  methodsOnPath: ReadonlySet<string>,
): string => {
  const segments = path.split('/').filter(Boolean);
  if (segments[0] !== 'v1')
    return `service.${segments
      .map(camel)
      .join('.')
      .replace(/\.json$/, '')}`;
  const rest = segments.slice(1);
  const names = rest.filter((segment) => !segment.startsWith('{')).map(camel);
  const base = names.join('.');
  const last = rest.at(-1) ?? '';
  if (last.startsWith('{')) {
    const verbs: Record<string, string> = { GET: 'get', PATCH: 'update', PUT: 'replace', DELETE: 'delete' };
    return `${base}.${verbs[method] ?? method.toLowerCase()}`;
  }
  if (method === 'GET') return `${base}.list`;
  // A POST on a collection that is also listed creates in it; a POST elsewhere is an action named by its path.
  if (method === 'POST') return methodsOnPath.has('GET') ? `${base}.create` : base;
  return `${base}.${method.toLowerCase()}`;
};

/** The `{}` (or nothing) that route-rules.ts lets a bodiless Management route accept. */
const isNoBody = (requestBody: Operation['requestBody']): boolean => {
  const schemas = Object.values(requestBody?.content ?? {}).map((content) => content.schema);
  const empty = (schema: unknown): boolean => {
    const json = schema as { type?: unknown; properties?: object; anyOf?: unknown[] } | undefined;
    if (json?.anyOf)
      return json.anyOf.every((branch) => empty(branch) || (branch as { type?: unknown }).type === 'null');
    return json?.type === 'object' && Object.keys(json.properties ?? {}).length === 0;
  };
  return schemas.length > 0 && schemas.every(empty);
};

/** Drops the components no reference reaches, and names an input-only component without its `Input` suffix. */
const pruneComponents = (document: OpenApiDocument): void => {
  const schemas = document.components?.schemas ?? {};
  const reachable = new Set<string>();
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object') return;
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    for (const [key, child] of Object.entries(value)) {
      if (key === '$ref' && typeof child === 'string' && child.startsWith('#/components/schemas/')) {
        const name = child.slice('#/components/schemas/'.length);
        if (!reachable.has(name)) {
          reachable.add(name);
          visit(schemas[name]);
        }
      } else visit(child);
    }
  };
  visit(document.paths);
  const kept: Record<string, unknown> = {};
  const renames = new Map<string, string>();
  for (const name of Object.keys(schemas).sort()) {
    if (!reachable.has(name)) continue;
    const plain = name.endsWith('Input') ? name.slice(0, -'Input'.length) : undefined;
    if (plain && schemas[plain] !== undefined && !reachable.has(plain)) renames.set(name, plain);
    kept[renames.get(name) ?? name] = schemas[name];
  }
  if (renames.size > 0) {
    const rename = (value: unknown): unknown => {
      if (Array.isArray(value)) return value.map(rename);
      if (value === null || typeof value !== 'object') return value;
      return Object.fromEntries(
        Object.entries(value).map(([key, child]) => {
          if (key === '$ref' && typeof child === 'string') {
            const name = child.slice('#/components/schemas/'.length);
            const renamed = renames.get(name);
            return [key, renamed ? `#/components/schemas/${renamed}` : child];
          }
          return [key, rename(child)];
        }),
      );
    };
    document.paths = rename(document.paths) as OpenApiDocument['paths'];
    for (const [name, schema] of Object.entries(kept)) kept[name] = rename(schema);
  }
  document.components = { ...document.components, schemas: kept };
};

/** Builds the served document once the app is ready (routes no longer change after that). */
export const buildOpenApiDocument = (
  app: FastifyInstance,
  registry: RouteRegistry,
  security: OpenApiSecurity,
): OpenApiDocument => {
  const document = structuredClone(app.swagger()) as OpenApiDocument;
  const schemas: Record<string, unknown> = {
    ...document.components?.schemas,
    ErrorEnvelope: errorComponent(),
    OAuthError: componentOf(oauthErrorEnvelopeSchema),
  };
  const examples: Record<string, unknown> = {};
  document.components = { ...document.components, schemas, securitySchemes: security.schemes, examples };
  for (const [path, operations] of Object.entries(document.paths ?? {})) {
    const methodsOnPath = new Set(Object.keys(operations).map((method) => method.toUpperCase()));
    for (const [method, operation] of Object.entries(operations)) {
      const route = registry.find(method.toUpperCase(), toFastifyPath(path));
      // Unique by construction or by a route's own operationId; the lint test (operation-operationId-unique) holds it.
      operation.operationId ??= deriveOperationId(method.toUpperCase(), path, methodsOnPath);
      operation.security = route ? security.requirements(route.auth) : [];
      // A Management route that takes no body accepts `{}` (route-rules.ts): the document shows no body.
      if (isNoBody(operation.requestBody)) delete operation.requestBody;
      // A request body the route does not name becomes a component named after its operation.
      for (const content of Object.values(operation.requestBody?.content ?? {})) {
        if (content.schema && content.schema.$ref === undefined) {
          const name = `${pascal(operation.operationId)}Request`;
          schemas[name] = content.schema;
          content.schema = ref(name);
        }
      }
      const byStatus = new Map<number, ErrorCode[]>();
      // Every mutating Management route takes an Idempotency-Key (http/idempotency.ts).
      const idempotent = route?.auth.kind === 'scope' && unsafeMethods.has(method.toUpperCase());
      if (idempotent) {
        const replay =
          'Replays the first answer for 24 h (same credential, key and request); another request with the key: 409 IDEMPOTENCY_KEY_REUSED';
        const parameters = (operation.parameters ?? []) as {
          in?: string;
          name?: string;
          description?: string;
        }[];
        // A route that requires the header (POST /v1/orders) declares it in its schema: one parameter, not two
        // (header names are case-insensitive, and a document naming one twice is invalid).
        const declared = parameters.find(
          (parameter) => parameter.in === 'header' && parameter.name?.toLowerCase() === 'idempotency-key',
        );
        if (declared) {
          declared.name = 'Idempotency-Key';
          declared.description = [declared.description, replay].filter(Boolean).join('. ');
        } else {
          operation.parameters = [
            ...(operation.parameters ?? []),
            {
              in: 'header',
              name: 'Idempotency-Key',
              required: false,
              schema: { type: 'string', minLength: 1, maxLength: 255 },
              description: replay,
            },
          ];
        }
      }
      for (const header of route?.requestHeaders ?? []) {
        operation.parameters = [
          ...(operation.parameters ?? []),
          {
            in: 'header',
            name: header.name,
            required: false,
            schema: { type: 'string', maxLength: header.maxLength },
            description: header.description,
          },
        ];
      }
      // What the kernel answers before a handler runs: a bad query (every /v1 route refuses unknown parameters),
      // path or body; then what the credential check refuses.
      const inPath = (operation.parameters as { in?: string }[] | undefined)?.some((p) => p.in === 'path');
      const documented: ErrorCode[] = [
        ...(path.startsWith('/v1/') ? (['INVALID_QUERY'] as const) : []),
        ...(inPath ? (['VALIDATION_ERROR'] as const) : []),
        ...(operation.requestBody ? (['INVALID_JSON', 'VALIDATION_ERROR'] as const) : []),
        ...(route ? security.errors(route.auth, method.toUpperCase()) : []),
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
      const component = route?.errorSchema === 'OAuthError' ? 'OAuthError' : 'ErrorEnvelope';
      for (const [status, codes] of [...byStatus].sort(([a], [b]) => a - b)) {
        responses[String(status)] = errorResponse(
          codes.join(' | '),
          component,
          codes,
          route?.errorExtra,
          examples,
        );
      }
      responses.default = errorResponse(
        'Any other error of the catalog (see /docs/errors)',
        component,
        [],
        undefined,
        examples,
      );
      operation.responses = responses;
    }
  }
  pruneComponents(document);
  return document;
};

/**
 * For the Client API's hot routes: their answers are built field by field by the mapping functions (toLicense,
 * toMachine, toLease), so they are written with JSON.stringify rather than parsed again by the response schema,
 * which still documents them; tests hold every such answer to its schema.
 */
export const mappedAnswerSerializer = () => (data: unknown) => JSON.stringify(data);
