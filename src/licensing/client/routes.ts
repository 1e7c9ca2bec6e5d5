// The Client API (/v1/client/*): called by the vendor's software, authenticated by the license key in the body:
// validate, machines (activate, deactivate, heartbeat, license file), trials, floating seats and meters.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditContextOf } from '../../access/caller.js';
import { mappedAnswerSerializer, noContentResponse } from '../../http/openapi.js';
import type { AuthRule, DocumentedHeader } from '../../http/route-rules.js';
import {
  type DeviceSignature,
  deviceSignatureHeader,
  deviceSignatureSkewSeconds,
  deviceTimestampHeader,
} from '../machines/device-keys.js';
import { activate, deactivate, heartbeat, licenseFile } from './activation.js';
import { consume } from './consume.js';
import { deviceLicenses } from './device-licenses.js';
import {
  activateBodySchema,
  activationErrors,
  activationSchema,
  borrowBodySchema,
  borrowResultSchema,
  checkoutSchema,
  consumeBodySchema,
  deviceLicensesBodySchema,
  deviceLicensesSchema,
  deviceSignatureErrors,
  featureLeaseSchema,
  featureParams,
  heartbeatResultSchema,
  licenseFileResultSchema,
  licenseStateErrors,
  machineBodySchema,
  meterSchema,
  trialBodySchema,
  trialResultSchema,
  userSignInErrors,
  validateBodySchema,
  validationResultSchema,
} from './schemas.js';
import { borrow, checkout, featureCheckout, featureRelease, release } from './seats.js';
import { trial } from './trial.js';
import { signInBody, signsInByPassword, type UserSignInDeps } from './user-sign-in.js';
import { validate } from './validate.js';

const licenseKeyRule: AuthRule = { kind: 'license-key' };

/** The device signature of a call about a machine with a device key (machines/device-keys.ts). */
const deviceHeaders: readonly DocumentedHeader[] = [
  {
    name: 'Charter-Device-Signature',
    description:
      'base64 Ed25519, by the device key registered at activation, over `{timestamp}\\n{path}\\n` then the exact body bytes. Required when the machine named has a device key (401 HARDWARE_KEY_REQUIRED, HARDWARE_KEY_SIGNATURE_MISMATCH)',
    maxLength: 200,
  },
  {
    name: 'Charter-Device-Timestamp',
    description: `Unix seconds, within ${deviceSignatureSkewSeconds} s of the server's clock; signed with the body`,
    maxLength: 20,
  },
];

const headerText = (value: string | string[] | undefined) =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** What the device signature covers, read from the request (the body's exact bytes, json-body.ts). */
const deviceSignatureOf = (request: FastifyRequest): DeviceSignature => {
  const query = request.url.indexOf('?');
  return {
    signature: headerText(request.headers[deviceSignatureHeader]),
    timestamp: headerText(request.headers[deviceTimestampHeader]),
    path: query === -1 ? request.url : request.url.slice(0, query),
    body: request.rawBody ?? Buffer.alloc(0),
  };
};

export const clientRoutes =
  (deps: UserSignInDeps) =>
  async (app: FastifyInstance): Promise<void> => {
    const routes = app.withTypeProvider<ZodTypeProvider>();
    const tags = ['Client API'];
    // A body with email and password instead of licenseKey signs in a license user (user-sign-in.ts).
    const signInByPassword = async (request: FastifyRequest) => {
      if (signsInByPassword(request.body)) await signInBody(deps, auditContextOf(request), request.body);
    };

    routes.post(
      '/v1/client/validate',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [...userSignInErrors, 'VALIDATION_ERROR', ...deviceSignatureErrors, 'RATE_LIMIT_EXCEEDED'],
        },
        schema: {
          tags,
          summary:
            'Validate a license (and a machine): 200 with valid and the code of the first failing check',
          description:
            "Checks, in order: LICENSE_NOT_FOUND, LICENSE_REVOKED, LICENSE_SUSPENDED, PRODUCT_DISABLED, PRODUCT_MISMATCH (productCode neither the license's product nor, for a bundle's license, a member; a member's own PRODUCT_DISABLED follows), LICENSE_NOT_STARTED, TRIAL_EXPIRED, LICENSE_EXPIRED, DEVICE_BLOCKED, MACHINE_NOT_ACTIVATED, LEASE_NOT_FOUND (floating), HEARTBEAT_DEAD, MACHINE_LIMIT_EXCEEDED, FEATURE_NOT_ENTITLED. With a nonce the result is signed.",
          body: validateBodySchema,
          response: { 200: validationResultSchema },
        },
        serializerCompiler: mappedAnswerSerializer,
      },
      async (request) => validate(deps, request.body, deviceSignatureOf(request)),
    );

    routes.post(
      '/v1/client/activate',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            ...activationErrors,
            'HARDWARE_KEY_CERTIFICATE_MISSING',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            'Activate a machine: 201 with the machine, the license and a signed license file (200 when already active)',
          body: activateBodySchema,
          response: { 200: activationSchema, 201: activationSchema },
        },
        serializerCompiler: mappedAnswerSerializer,
      },
      async (request, reply) => {
        const { created, ...activation } = await activate(
          deps,
          request.body,
          undefined,
          deviceSignatureOf(request),
        );
        return reply.code(created ? 201 : 200).send(activation);
      },
    );

    routes.post(
      '/v1/client/deactivate',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            'LICENSE_NOT_FOUND',
            'PRODUCT_MISMATCH',
            'MACHINE_NOT_ACTIVATED',
            'DEACTIVATION_LIMIT_EXCEEDED',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Deactivate this machine (frees its slot)',
          body: machineBodySchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await deactivate(deps, request.body, deviceSignatureOf(request));
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/client/trial',
      {
        config: {
          auth: licenseKeyRule,
          // Random fingerprints from one address get no more than CHARTER_RATE_LIMIT_TRIAL_IP trials an hour.
          addressQuota: 'trial',
          errors: [
            'TRIAL_NOT_ALLOWED',
            'UNKNOWN_PRODUCT',
            'VALIDATION_ERROR',
            'DEVICE_BLOCKED',
            'PRODUCT_DISABLED',
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            "Start a trial on this device: a trial license under the product's trial settings, activated here",
          body: trialBodySchema,
          response: { 201: trialResultSchema },
        },
      },
      async (request, reply) => reply.code(201).send(await trial(deps, request.body)),
    );

    routes.post(
      '/v1/client/device-licenses',
      {
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: ['DEVICE_LICENSES_NOT_FOUND', ...deviceSignatureErrors, 'RATE_LIMIT_EXCEEDED'],
        },
        schema: {
          tags,
          summary:
            'The licenses active on this device (no license key needed): little about each, never a key; a device with a device key signs the call',
          body: deviceLicensesBodySchema,
          response: { 200: deviceLicensesSchema },
        },
      },
      async (request) => deviceLicenses(deps, request.body, deviceSignatureOf(request)),
    );

    routes.post(
      '/v1/client/license-file',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            ...licenseStateErrors,
            'MACHINE_NOT_ACTIVATED',
            'HEARTBEAT_DEAD',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'A fresh signed license file for this activated machine',
          body: machineBodySchema,
          response: { 200: licenseFileResultSchema },
        },
      },
      async (request) => licenseFile(deps, request.body, deviceSignatureOf(request)),
    );

    routes.post(
      '/v1/client/heartbeat',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            'LICENSE_NOT_FOUND',
            'PRODUCT_MISMATCH',
            'MACHINE_NOT_ACTIVATED',
            'HEARTBEAT_DEAD',
            'LEASE_NOT_FOUND',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Keep this machine alive and extend the leases it holds',
          body: machineBodySchema,
          response: { 200: heartbeatResultSchema },
        },
        serializerCompiler: mappedAnswerSerializer,
      },
      async (request) => heartbeat(deps, request.body, deviceSignatureOf(request)),
    );
    routes.post(
      '/v1/client/checkout',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            ...licenseStateErrors,
            'NOT_FLOATING',
            'FLOATING_NOT_AVAILABLE',
            'PRODUCT_ARCHIVED',
            'CUSTOMER_INACTIVE',
            'DEVICE_BLOCKED',
            'VM_NOT_ALLOWED',
            'LICENSE_USER_NOT_FOUND',
            'HARDWARE_KEY_CERTIFICATE_MISSING',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            'Check out a seat of a floating license for leaseSeconds: 201 with the lease and a license file (200 and extended when already held)',
          body: activateBodySchema,
          response: { 200: checkoutSchema, 201: checkoutSchema },
        },
        serializerCompiler: mappedAnswerSerializer,
      },
      async (request, reply) => {
        const { created, ...result } = await checkout(deps, request.body, deviceSignatureOf(request));
        return reply.code(created ? 201 : 200).send(result);
      },
    );

    routes.post(
      '/v1/client/borrow',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            ...licenseStateErrors,
            'NOT_FLOATING',
            'BORROW_NOT_ALLOWED',
            'BORROW_UNTIL_INVALID',
            'LEASE_NOT_FOUND',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Keep the held seat until `until` without heartbeats (within maxBorrowSeconds)',
          body: borrowBodySchema,
          response: { 200: borrowResultSchema },
        },
      },
      async (request) => borrow(deps, request.body, deviceSignatureOf(request)),
    );

    routes.post(
      '/v1/client/release',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            'LICENSE_NOT_FOUND',
            'PRODUCT_MISMATCH',
            'NOT_FLOATING',
            'LEASE_NOT_FOUND',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: "Release the held seat (and this machine's feature seats)",
          body: machineBodySchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await release(deps, request.body, deviceSignatureOf(request));
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/client/features/:code/checkout',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            ...licenseStateErrors,
            'FEATURE_NOT_ENTITLED',
            'NOT_FLOATING',
            'FLOATING_NOT_AVAILABLE',
            'LEASE_NOT_FOUND',
            'MACHINE_NOT_ACTIVATED',
            'HEARTBEAT_DEAD',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            'Check out a seat of a floating feature: 201 with the lease (200 and extended when already held)',
          params: featureParams,
          body: machineBodySchema,
          response: { 200: featureLeaseSchema, 201: featureLeaseSchema },
        },
      },
      async (request, reply) => {
        const { created, lease } = await featureCheckout(
          deps,
          request.params.code,
          request.body,
          deviceSignatureOf(request),
        );
        return reply.code(created ? 201 : 200).send({ lease });
      },
    );

    routes.post(
      '/v1/client/features/:code/release',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            'LICENSE_NOT_FOUND',
            'PRODUCT_MISMATCH',
            'FEATURE_NOT_ENTITLED',
            'NOT_FLOATING',
            'LEASE_NOT_FOUND',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary: 'Release the held seat of a floating feature',
          params: featureParams,
          body: machineBodySchema,
          response: noContentResponse,
        },
      },
      async (request, reply) => {
        await featureRelease(deps, request.params.code, request.body, deviceSignatureOf(request));
        return reply.code(204).send(null);
      },
    );

    routes.post(
      '/v1/client/consume',
      {
        preValidation: signInByPassword,
        config: {
          auth: licenseKeyRule,
          requestHeaders: deviceHeaders,
          errors: [
            ...userSignInErrors,
            ...licenseStateErrors,
            'NOT_CONSUMPTION',
            'CONSUMPTION_LIMIT_EXCEEDED',
            'NEGATIVE_CONSUMPTION_NOT_ALLOWED',
            'FEATURE_NOT_ENTITLED',
            'MACHINE_NOT_ACTIVATED',
            'VALIDATION_ERROR',
            ...deviceSignatureErrors,
            'RATE_LIMIT_EXCEEDED',
          ],
        },
        schema: {
          tags,
          summary:
            "Add to the license's meter or a consumption feature's (a negative amount credits, where allowed)",
          body: consumeBodySchema,
          response: { 200: meterSchema },
        },
      },
      async (request) => consume(deps, request.body, deviceSignatureOf(request)),
    );
  };
