// The Client API's calls only license users make, signed in by email and password in the body: the licenses they
// hold, and the change of their own password (user-sign-in.ts).
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditContextOf } from '../../access/caller.js';
import { noContentResponse } from '../../http/openapi.js';
import type { AuthRule } from '../../http/route-rules.js';
import {
  changePasswordBodySchema,
  userLicensesBodySchema,
  userLicensesSchema,
  userSignInErrors,
} from './schemas.js';
import { changePassword, type UserSignInDeps, userLicenses } from './user-sign-in.js';

export const clientUserRoutes =
  (deps: UserSignInDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Client API'];
    const userRule: AuthRule = { kind: 'license-user' };
    routes.post(
      '/v1/client/user-licenses',
      {
        config: { auth: userRule, errors: ['VALIDATION_ERROR', ...userSignInErrors] },
        schema: {
          tags,
          summary:
            'The licenses a license user holds (of one product, when named), signed in by email and password',
          body: userLicensesBodySchema,
          response: { 200: userLicensesSchema },
        },
      },
      async (request) => userLicenses(deps, auditContextOf(request), request.body),
    );

    routes.post(
      '/v1/client/change-password',
      {
        config: {
          auth: userRule,
          errors: [
            'VALIDATION_ERROR',
            'INVALID_CREDENTIALS',
            'ACCOUNT_DISABLED',
            'CHANGE_PASSWORD_NOT_ALLOWED',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'A license user changes their own password (unless a policy of theirs forbids it); 204',
          body: changePasswordBodySchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await changePassword(deps, auditContextOf(request), request.body);
        return reply.code(204).send(null);
      },
    );
  };
