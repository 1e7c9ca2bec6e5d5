// The customer portal's API (/v1/portal/*): license users and license managers, signed in with their own
// session cookie (charter_portal_session) and CSRF token — never a Management credential or scope.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditContextOf } from '../../access/caller.js';
import { portalCookieName, type SessionSettings } from '../../access/sessions/service.js';
import { AppError } from '../../errors/app-error.js';
import { noContentResponse } from '../../http/openapi.js';
import { type AuthRule, publicRoute } from '../../http/route-rules.js';
import { safeEqual } from '../../lib/secrets.js';
import type { ClientDeps } from '../client/checks.js';
import { activationErrors } from '../client/schemas.js';
import { offlineActivateBodySchema, offlineActivationSchema } from '../offline/schemas.js';
import { acceptInvitation } from '../users/invitations.js';
import { userSchema } from '../users/schemas.js';
import {
  authenticatePortalSession,
  type PortalSession,
  portalLogin,
  portalLogout,
} from '../users/sessions.js';
import type { PasswordChecks } from '../users/sign-in.js';
import {
  acceptInvitationSchema,
  assignSeatSchema,
  customerLicenseParams,
  customerMachineParams,
  customerParams,
  heldLicensesSchema,
  machineParams,
  portalLicensesSchema,
  portalLoginSchema,
  portalMachinesSchema,
  portalSessionSchema,
  seatHoldersSchema,
  seatParams,
  usageSchema,
} from './schemas.js';
import {
  activateOfflineForCustomer,
  assignSeat,
  deactivateManagedMachine,
  deactivateMyMachine,
  managedLicenses,
  managedMachines,
  managedUsage,
  myLicenses,
  myMachines,
  portalProfile,
  seatHolders,
  unassignSeat,
} from './service.js';

declare module 'fastify' {
  interface FastifyRequest {
    portalSession: PortalSession | undefined;
  }
}

const portalRule: AuthRule = { kind: 'portal-session' };
const unsafe = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const sessionErrors = ['AUTH_MISSING', 'AUTH_INVALID', 'SESSION_EXPIRED', 'ACCOUNT_DISABLED'] as const;
const unsafeErrors = [...sessionErrors, 'CSRF_VALIDATION_FAILED'] as const;
const managerErrors = [...unsafeErrors, 'CUSTOMER_NOT_FOUND'] as const;

const cookieOptions = (request: FastifyRequest) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: request.protocol === 'https',
});

export const portalRoutes =
  (deps: ClientDeps & { passwords: PasswordChecks; session: SessionSettings }) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Customer portal'];
    app.decorateRequest('portalSession', undefined);

    // The portal's own authentication: its cookie, then on unsafe methods the session's CSRF token.
    app.addHook('onRequest', async (request) => {
      if (request.routeOptions.config.auth?.kind !== 'portal-session') return;
      const token = request.cookies[portalCookieName];
      if (!token) throw new AppError('AUTH_MISSING', 'Sign in to the portal first');
      const session = await authenticatePortalSession(deps, token);
      if (unsafe.has(request.method)) {
        const sent = request.headers['x-csrf-token'];
        if (typeof sent !== 'string' || !safeEqual(sent, session.csrfToken))
          throw new AppError(
            'CSRF_VALIDATION_FAILED',
            'This request needs the X-CSRF-Token of the portal session',
          );
      }
      request.portalSession = session;
      request.actorId = session.user.id;
    });
    const sessionOf = (request: FastifyRequest): PortalSession => {
      if (!request.portalSession) throw new AppError('AUTH_MISSING', 'Sign in to the portal first');
      return request.portalSession;
    };
    const view = async (session: PortalSession) => ({
      ...(await portalProfile(deps, session.user)),
      csrfToken: session.csrfToken,
      expiresAt: new Date(session.expiresAt).toISOString(),
    });
    const noContent = (reply: FastifyReply) => reply.code(204).send(null);

    routes.post(
      '/v1/portal/invitations/accept',
      {
        config: {
          auth: publicRoute,
          addressQuota: 'sign-in',
          errors: ['AUTH_INVALID', 'RATE_LIMIT_EXCEEDED'],
        },
        schema: {
          tags,
          summary: 'Set a password with the token of an invitation link (once, before it expires)',
          body: acceptInvitationSchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await acceptInvitation(deps, auditContextOf(request), request.body);
        return noContent(reply);
      },
    );

    routes.post(
      '/v1/portal/login',
      {
        config: {
          auth: publicRoute,
          addressQuota: 'sign-in',
          errors: ['INVALID_CREDENTIALS', 'ACCOUNT_DISABLED', 'RATE_LIMIT_EXCEEDED'],
        },
        schema: {
          tags,
          summary: `Sign in a license user: sets the ${portalCookieName} cookie and answers the CSRF token`,
          body: portalLoginSchema,
          response: { 200: portalSessionSchema },
        },
      },
      async (request, reply) => {
        const { token, ...session } = await portalLogin(deps, auditContextOf(request), request.body);
        reply.setCookie(portalCookieName, token, {
          ...cookieOptions(request),
          maxAge: deps.session.maxSeconds,
        });
        return view(session);
      },
    );

    routes.post(
      '/v1/portal/logout',
      {
        config: { auth: portalRule, errors: [...unsafeErrors] },
        schema: { tags, summary: 'Sign out of the portal', response: noContentResponse },
      },
      async (request, reply) => {
        await portalLogout(deps, auditContextOf(request), sessionOf(request));
        reply.clearCookie(portalCookieName, cookieOptions(request));
        return noContent(reply);
      },
    );

    routes.get(
      '/v1/portal/session',
      {
        config: { auth: portalRule, errors: [...sessionErrors] },
        schema: {
          tags,
          summary: 'The signed-in user, the customers they manage, the CSRF token',
          response: { 200: portalSessionSchema },
        },
      },
      async (request) => view(sessionOf(request)),
    );

    routes.get(
      '/v1/portal/licenses',
      {
        config: { auth: portalRule, errors: [...sessionErrors] },
        schema: { tags, summary: 'The licenses I hold', response: { 200: heldLicensesSchema } },
      },
      async (request) => myLicenses(deps, sessionOf(request).user),
    );

    routes.get(
      '/v1/portal/machines',
      {
        config: { auth: portalRule, errors: [...sessionErrors] },
        schema: { tags, summary: 'The devices I activated', response: { 200: portalMachinesSchema } },
      },
      async (request) => myMachines(deps, sessionOf(request).user),
    );

    routes.delete(
      '/v1/portal/machines/:machineId',
      {
        config: { auth: portalRule, errors: [...unsafeErrors, 'NOT_FOUND', 'DEACTIVATION_LIMIT_EXCEEDED'] },
        schema: {
          tags,
          summary: 'Deactivate a device of mine',
          params: machineParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        const { user } = sessionOf(request);
        await deactivateMyMachine(deps, user, auditContextOf(request), request.params.machineId);
        return noContent(reply);
      },
    );

    routes.get(
      '/v1/portal/customers/:customerId/licenses',
      {
        config: { auth: portalRule, errors: [...sessionErrors, 'CUSTOMER_NOT_FOUND'] },
        schema: {
          tags,
          summary: "A managed customer's licenses (with their keys)",
          params: customerParams,
          response: { 200: portalLicensesSchema },
        },
      },
      async (request) => managedLicenses(deps, sessionOf(request).user, request.params.customerId),
    );

    routes.get(
      '/v1/portal/customers/:customerId/licenses/:licenseId/users',
      {
        config: { auth: portalRule, errors: [...sessionErrors, 'CUSTOMER_NOT_FOUND'] },
        schema: {
          tags,
          summary: "The users holding a seat of a managed customer's license",
          params: customerLicenseParams,
          response: { 200: seatHoldersSchema },
        },
      },
      async (request) =>
        seatHolders(
          deps,
          sessionOf(request).user,
          auditContextOf(request),
          request.params.customerId,
          request.params.licenseId,
        ),
    );

    routes.post(
      '/v1/portal/customers/:customerId/licenses/:licenseId/users',
      {
        config: {
          auth: portalRule,
          errors: [...managerErrors, 'LICENSE_USERS_LIMIT_EXCEEDED', 'CUSTOMER_ACCOUNT_MISMATCH'],
        },
        schema: {
          tags,
          summary: 'Assign a seat to a person by email (within maxUsers): 201, or 200 when they hold one',
          params: customerLicenseParams,
          body: assignSeatSchema,
          response: { 200: userSchema, 201: userSchema },
        },
      },
      async (request, reply) => {
        const { created, user } = await assignSeat(
          deps,
          sessionOf(request).user,
          auditContextOf(request),
          request.params,
          request.body,
        );
        return reply.code(created ? 201 : 200).send(user);
      },
    );

    routes.delete(
      '/v1/portal/customers/:customerId/licenses/:licenseId/users/:userId',
      {
        config: { auth: portalRule, errors: [...managerErrors, 'NOT_FOUND'] },
        schema: { tags, summary: 'Take a seat back', params: seatParams, response: noContentResponse },
      },
      async (request, reply) => {
        await unassignSeat(deps, sessionOf(request).user, auditContextOf(request), request.params);
        return noContent(reply);
      },
    );

    routes.get(
      '/v1/portal/customers/:customerId/machines',
      {
        config: { auth: portalRule, errors: [...sessionErrors, 'CUSTOMER_NOT_FOUND'] },
        schema: {
          tags,
          summary: "The active machines of a managed customer's licenses",
          params: customerParams,
          response: { 200: portalMachinesSchema },
        },
      },
      async (request) => managedMachines(deps, sessionOf(request).user, request.params.customerId),
    );

    routes.delete(
      '/v1/portal/customers/:customerId/machines/:machineId',
      {
        config: { auth: portalRule, errors: [...managerErrors, 'DEACTIVATION_LIMIT_EXCEEDED'] },
        schema: {
          tags,
          summary: "Deactivate a machine of a managed customer's license",
          params: customerMachineParams,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deactivateManagedMachine(
          deps,
          sessionOf(request).user,
          auditContextOf(request),
          request.params.customerId,
          request.params.machineId,
        );
        return noContent(reply);
      },
    );

    routes.get(
      '/v1/portal/customers/:customerId/usage',
      {
        config: { auth: portalRule, errors: [...sessionErrors, 'CUSTOMER_NOT_FOUND'] },
        schema: {
          tags,
          summary: "A managed customer's usage: seats and machines of their limits, meters",
          params: customerParams,
          response: { 200: usageSchema },
        },
      },
      async (request) => managedUsage(deps, sessionOf(request).user, request.params.customerId),
    );

    routes.post(
      '/v1/portal/customers/:customerId/offline-activations',
      {
        config: {
          auth: portalRule,
          errors: [
            ...managerErrors,
            'OFFLINE_REQUEST_INVALID',
            'OFFLINE_NOT_ALLOWED',
            'HARDWARE_KEY_CERTIFICATE_MISSING',
            ...activationErrors.filter(
              (code) => code !== 'FLOATING_NOT_AVAILABLE' && code !== 'LICENSE_NOT_FOUND',
            ),
          ],
        },
        schema: {
          tags,
          summary:
            "Activate an air-gapped machine of a managed customer's license from its request file: 201 with the license file to carry back",
          params: customerParams,
          body: offlineActivateBodySchema,
          response: { 200: offlineActivationSchema, 201: offlineActivationSchema },
        },
      },
      async (request, reply) => {
        const { created, body } = await activateOfflineForCustomer(
          deps,
          sessionOf(request).user,
          auditContextOf(request),
          request.params.customerId,
          request.body.request,
        );
        return reply.code(created ? 201 : 200).send(body);
      },
    );
  };
