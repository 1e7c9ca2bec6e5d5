// /v1/users and a license's users: /v1/licenses/{id}/users.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { callerOf } from '../../access/caller.js';
import { requireScope, requireUnrestricted } from '../../access/scopes.js';
import { noContentResponse } from '../../http/openapi.js';
import { pageSchema } from '../../http/pagination.js';
import type { CatalogDeps } from '../products/service.js';
import type { InvitationDeps } from './invitations.js';
import { inviteUser } from './invitations.js';
import {
  createUserSchema,
  userIdParams as idParams,
  invitationSchema,
  licenseUserParams,
  userListQuery as listQuery,
  updateUserSchema,
  userSchema,
} from './schemas.js';
import {
  assignLicenseUser,
  createUser,
  deleteUser,
  getUser,
  licenseUsers,
  unassignLicenseUser,
  updateUser,
  userPage,
} from './service.js';

export const userRoutes =
  (deps: CatalogDeps & InvitationDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['License users'];
    const db = deps.db.kysely;

    routes.post(
      '/v1/users',
      {
        config: { auth: requireScope('customers:write'), errors: ['ALREADY_EXISTS'] },
        schema: {
          tags,
          summary: 'Create a license user',
          body: createUserSchema,
          response: { 201: userSchema },
        },
      },
      async (request, reply) => {
        const user = await createUser(deps, callerOf(request), request.body);
        return reply.code(201).header('location', `/v1/users/${user.id}`).send(user);
      },
    );
    routes.get(
      '/v1/users',
      {
        config: { auth: requireScope('customers:read'), errors: ['INVALID_QUERY'] },
        schema: {
          tags,
          summary: 'List license users',
          querystring: listQuery,
          response: { 200: pageSchema(userSchema) },
        },
      },
      async (request) => userPage(db, request.principal, request.query),
    );
    routes.get(
      '/v1/users/:id',
      {
        config: { auth: requireScope('customers:read'), errors: ['NOT_FOUND', 'GONE'] },
        schema: { tags, summary: 'Read a license user', params: idParams, response: { 200: userSchema } },
      },
      async (request) => getUser(db, request.principal, request.params.id),
    );
    routes.patch(
      '/v1/users/:id',
      {
        config: { auth: requireScope('customers:write'), errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Rename a license user, set their password, or disable or enable them',
          params: idParams,
          body: updateUserSchema,
          response: { 200: userSchema },
        },
      },
      async (request) => updateUser(deps, callerOf(request), request.params.id, request.body),
    );
    routes.post(
      '/v1/users/:id/invitations',
      {
        config: { auth: requireUnrestricted('customers:write'), errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Invite a license user to set a password: 201 with the one-time link (7 days unless told)',
          params: idParams,
          body: z
            .strictObject({
              expiresInSeconds: z
                .number()
                .int()
                .min(300)
                .max(90 * 86_400)
                .optional(),
            })
            .optional(),
          response: { 201: invitationSchema },
        },
      },
      async (request, reply) => {
        const invitation = await inviteUser(deps, callerOf(request), request.params.id, {
          expiresInSeconds: request.body?.expiresInSeconds,
        });
        return reply.code(201).send({
          userId: invitation.user.id,
          url: invitation.url,
          token: invitation.token,
          expiresAt: invitation.expiresAt,
        });
      },
    );
    routes.delete(
      '/v1/users/:id',
      {
        config: { auth: requireScope('customers:write'), errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: 'Delete a license user (soft)',
          params: idParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deleteUser(deps, callerOf(request), request.params.id);
        return reply.code(204).send(null);
      },
    );

    routes.get(
      '/v1/licenses/:id/users',
      {
        config: { auth: requireScope('licenses:read'), errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          tags,
          summary: "A license's users",
          params: idParams,
          response: { 200: pageSchema(userSchema) },
        },
      },
      async (request) => licenseUsers(db, callerOf(request), request.params.id),
    );
    routes.post(
      '/v1/licenses/:id/users',
      {
        config: {
          auth: requireScope('licenses:write'),
          errors: ['NOT_FOUND', 'GONE', 'LICENSE_USERS_LIMIT_EXCEEDED'],
        },
        schema: {
          operationId: 'licenses.users.assign',
          tags,
          summary: 'Assign a user to a license (within maxUsers); 200 when already assigned',
          params: idParams,
          body: z.strictObject({ userId: z.string().min(1).max(64) }),
          response: { 200: userSchema, 201: userSchema },
        },
      },
      async (request, reply) => {
        const { created, user } = await assignLicenseUser(
          deps,
          callerOf(request),
          request.params.id,
          request.body.userId,
        );
        return reply.code(created ? 201 : 200).send(user);
      },
    );
    routes.delete(
      '/v1/licenses/:id/users/:userId',
      {
        config: { auth: requireScope('licenses:write'), errors: ['NOT_FOUND', 'GONE'] },
        schema: {
          operationId: 'licenses.users.unassign',
          tags,
          summary: 'Unassign a user from a license',
          params: licenseUserParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await unassignLicenseUser(deps, callerOf(request), request.params.id, request.params.userId);
        return reply.code(204).send(null);
      },
    );
  };
