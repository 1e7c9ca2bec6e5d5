// The API reference: GET /openapi.json (OpenAPI 3.1), GET /docs (Swagger UI, served from the package, no CDN),
// GET /docs/routes (every implemented route with its auth rule; any Management credential may read it).
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { buildOpenApiDocument, type OpenApiSecurity } from './openapi.js';
import { credentialRoute, publicRoute, type RouteRegistry } from './route-rules.js';

const authSchema = z.union([
  z.object({
    kind: z.enum([
      'public',
      'license-key',
      'license-user',
      'portal-session',
      'webhook-signature',
      'session',
      'credential',
    ]),
  }),
  z.object({ kind: z.literal('scope'), scope: z.string(), reach: z.enum(['product', 'server']) }),
]);

const routesSchema = z.object({
  data: z.array(
    z.object({ method: z.string(), url: z.string(), auth: authSchema, errors: z.array(z.string()) }),
  ),
});

export const docsRoutes =
  ({ registry, security }: { registry: RouteRegistry; security: OpenApiSecurity }) =>
  async (app: FastifyInstance): Promise<void> => {
    let document: ReturnType<typeof buildOpenApiDocument> | undefined;
    const openApiDocument = () => {
      document ??= buildOpenApiDocument(app, registry, security);
      return document;
    };

    await app.register(swaggerUi, {
      routePrefix: '/docs',
      staticCSP: true,
      transformSpecification: () => openApiDocument(),
      uiConfig: { deepLinking: true, docExpansion: 'list', layout: 'BaseLayout' },
      theme: { title: 'Charter API reference' },
    });

    const routes = app.withTypeProvider<ZodTypeProvider>();
    routes.get('/openapi.json', { config: { auth: publicRoute }, schema: { hide: true } }, async () =>
      openApiDocument(),
    );

    routes.get(
      '/docs/routes',
      {
        config: { auth: credentialRoute },
        schema: {
          tags: ['Service'],
          summary: 'Every implemented route with its auth rule and documented error codes',
          response: { 200: routesSchema },
        },
      },
      async () => ({
        data: registry.routes
          .filter((route) => route.method !== 'HEAD')
          .map(({ method, url, auth, errors }) => ({ method, url, auth, errors: [...errors] })),
      }),
    );
  };
