// GET /v1/errors and GET /docs/errors: the error reference, generated from the catalog.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorCodes } from '../errors/catalog.js';
import { errorReference, renderErrorReferenceHtml } from './error-reference.js';
import { publicRoute } from './route-rules.js';

const errorReferenceSchema = z.object({
  data: z.array(
    z.object({
      code: z.enum(errorCodes as [string, ...string[]]),
      status: z.number().int(),
      title: z.string(),
      description: z.string(),
      resolution: z.string(),
      retryable: z.boolean(),
      group: z.string(),
    }),
  ),
});

export const errorReferenceRoutes = async (app: FastifyInstance): Promise<void> => {
  const body = { data: errorReference() };
  const html = renderErrorReferenceHtml();
  const routes = app.withTypeProvider<ZodTypeProvider>();

  routes.get(
    '/v1/errors',
    {
      config: { auth: publicRoute },
      schema: {
        tags: ['Service'],
        summary: 'The error catalog: every code with its status, retryability and resolution',
        response: { 200: errorReferenceSchema },
      },
    },
    async () => body,
  );

  routes.get(
    '/docs/errors',
    { config: { auth: publicRoute }, schema: { hide: true } },
    async (_request, reply) => reply.type('text/html; charset=utf-8').send(html),
  );
};
