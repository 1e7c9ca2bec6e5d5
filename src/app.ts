// buildApp(deps): the Fastify instance with the error contract, request ids, JSON parsing, docs and every
// domain's routes. It never listens and starts no background worker; main.ts does both (workers.ts), and tests
// inject into it and start the workers they need.
import cookie from '@fastify/cookie';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import { serializerCompiler } from 'fastify-type-provider-zod';
import type { Logger } from 'pino';

import { apiKeyRoutes } from './access/api-keys/routes.js';
import { createLastUsedTracker } from './access/api-keys/service.js';
import { auditRoutes } from './access/audit/routes.js';
import { registerAuthentication } from './access/authenticate.js';
import { oauthRoutes } from './access/oauth/routes.js';
import { openApiSecurity } from './access/openapi.js';
import { operatorRoutes } from './access/operators/routes.js';
import { sessionRoutes } from './access/sessions/routes.js';
import { signingKeyRoutes } from './access/signing-keys/routes.js';
import { createKeyRing } from './access/signing-keys/service.js';
import type { Config } from './config.js';
import type { Database } from './db/connection.js';
import { createWriteBatcher } from './db/write-batcher.js';
import { AppError } from './errors/app-error.js';
import { toEnvelope } from './errors/envelope.js';
import { healthRoutes } from './health/routes.js';
import { type Dashboard, registerDashboard } from './http/dashboard.js';
import { docsRoutes } from './http/docs-routes.js';
import { errorHandler, sendError, toAppError } from './http/error-handler.js';
import { errorReferenceRoutes } from './http/error-reference-routes.js';
import { registerIdempotency } from './http/idempotency.js';
import { registerJsonBodyParser } from './http/json-body.js';
import { registerOpenApi } from './http/openapi.js';
import { createRateLimiter } from './http/rate-limit.js';
import { requestIdGenerator, requestIdHeader } from './http/request-id.js';
import { RouteRegistry, trackRoutes } from './http/route-rules.js';
import { registerTextGuard, zodValidatorCompiler } from './http/validation.js';
import type { Clock } from './lib/clock.js';
import { requestLineLogger, requestLoggerFactory } from './lib/logger.js';
import { createSealer, loadSecretKey } from './lib/sealing.js';
import { blocklistRoutes } from './licensing/blocklist/routes.js';
import { createValidationMetrics, registerValidationCacheMetrics } from './licensing/client/metrics.js';
import { registerClientLimits } from './licensing/client/rate-limits.js';
import { clientRoutes } from './licensing/client/routes.js';
import { clientUserRoutes } from './licensing/client/user-routes.js';
import { createValidationCache } from './licensing/client/validation-cache.js';
import { customerMailRoutes } from './licensing/customer-mail/routes.js';
import { customerMemberRoutes } from './licensing/customers/member-routes.js';
import { customerRoutes } from './licensing/customers/routes.js';
import { leaseRoutes } from './licensing/floating/routes.js';
import { integrationRoutes } from './licensing/integrations/routes.js';
import { licenseRoutes } from './licensing/licenses/routes.js';
import { machineRoutes } from './licensing/machines/routes.js';
import { offlineRoutes } from './licensing/offline/routes.js';
import { orderRoutes } from './licensing/orders/routes.js';
import { policyRoutes } from './licensing/policies/routes.js';
import { portalRoutes } from './licensing/portal/routes.js';
import { productRoutes } from './licensing/products/routes.js';
import { referencedProductIds } from './licensing/products/service.js';
import { releaseRoutes } from './licensing/releases/routes.js';
import { createUsageRecorder } from './licensing/usage/recorder.js';
import { usageRoutes } from './licensing/usage/routes.js';
import { userRoutes } from './licensing/users/routes.js';
import { createPasswordChecks } from './licensing/users/sign-in.js';
import { createMonitorMetrics } from './monitor/metrics.js';
import { createPoller, type Poller } from './monitor/poller.js';
import { monitorRoutes } from './monitor/routes.js';
import { approvalKindsOf, registerApprovalGate } from './ops/actions/gate.js';
import { createActionMetrics } from './ops/actions/metrics.js';
import { actionRoutes } from './ops/actions/routes.js';
import { createIncidentMetrics } from './ops/incidents/metrics.js';
import { incidentRoutes } from './ops/incidents/routes.js';
import { createMetrics, metricsRoutes } from './ops/metrics.js';
import { createMailMetrics } from './ops/notifications/metrics.js';
import { notifyApprovalPending } from './ops/notifications/service.js';
import { createWebhookMetrics } from './ops/webhooks/metrics.js';
import { webhookEndpointRoutes } from './ops/webhooks/routes.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Shutdown begins: every request received from now on answers 503 with Retry-After and Connection: close. */
    drain(): void;
    /** The monitor's poller, shared with the scheduler that main.ts starts (workers.ts). */
    poller: Poller;
  }
}

export interface AppDeps {
  config: Config;
  db: Database;
  clock: Clock;
  logger: Logger;
  /** Adds routes on the same setup before the app is sealed: the benchmark's baseline route, tests' probe routes. */
  extend?: (app: FastifyInstance) => Promise<void>;
}

/** Header limit: Node's parser refuses larger headers; clientErrorHandler answers them with HEADERS_TOO_LARGE. */
export const maxHeaderBytes = 16 * 1024;

/** A hop count trusts that many proxies in front (what Fastify does for a number, which its types omit). */
const trustProxyOption = (value: Config['trustProxy']) =>
  typeof value === 'number' ? (_address: string, hop: number) => hop < value : value;

const routeNotFound = (registry: RouteRegistry, method: string, url: string): AppError => {
  const path = (url.split('?')[0] ?? '').slice(0, 200);
  const allowed = registry.allowedMethods(url);
  if (allowed.length === 0) return new AppError('NOT_FOUND', `No route matches ${method} ${path}`);
  return new AppError(
    'METHOD_NOT_ALLOWED',
    `${method} is not allowed on ${path}; use ${allowed.join(', ')}`,
    { allowed },
    { headers: { allow: allowed.join(', ') } },
  );
};

export const buildApp = async (deps: AppDeps): Promise<FastifyInstance> => {
  const { config, clock, db } = deps;
  const registry = new RouteRegistry(['/docs']);
  let closing = false;

  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // Each request's logger is made when it writes (lib/logger.ts): most never do.
    childLoggerFactory: (logger, bindings, options) =>
      requestLoggerFactory(logger as Logger, bindings, options),
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    requestIdHeader: false,
    genReqId: requestIdGenerator(clock),
    bodyLimit: config.bodyLimit,
    trustProxy: trustProxyOption(config.trustProxy),
    return503OnClosing: false,
    http: { maxHeaderSize: maxHeaderBytes },
    clientErrorHandler: (error, socket) => {
      if ((error as NodeJS.ErrnoException).code === 'ECONNRESET' || socket.destroyed) return;
      const requestId = requestIdGenerator(clock)({ headers: {} } as never);
      const appError =
        (error as NodeJS.ErrnoException).code === 'HPE_HEADER_OVERFLOW'
          ? new AppError(
              'HEADERS_TOO_LARGE',
              `Request headers are over the limit of ${maxHeaderBytes} bytes`,
              {
                limit: maxHeaderBytes,
              },
            )
          : new AppError('VALIDATION_ERROR', 'The request is not well-formed HTTP', {
              issues: [{ path: [], message: 'malformed HTTP request', code: 'custom' }],
            });
      const body = JSON.stringify(toEnvelope(appError, requestId, clock.now()));
      if (socket.writable) {
        socket.write(
          `HTTP/1.1 ${appError.status} ${appError.status === 431 ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
            `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
            `X-Request-ID: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
        );
      }
      socket.destroy();
    },
    frameworkErrors: (error, _request, reply) => {
      sendError(reply, toAppError(error, config.bodyLimit).appError, clock);
    },
  });

  app.decorateRequest('errorCode', undefined);
  app.decorateRequest('actorId', undefined);
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(errorHandler(clock, config.bodyLimit));
  registerJsonBodyParser(app);
  registerTextGuard(app);
  trackRoutes(app, registry);
  /** The dashboard's files (registered last, after every API route): its pages are the not-found handler's. */
  let dashboard: Dashboard | undefined;

  app.addHook('onRequest', async (request, reply) => {
    reply.header(requestIdHeader, request.id);
    if (request.is404 && !dashboard?.serves(request))
      throw routeNotFound(registry, request.method, request.url);
    if (closing) {
      throw new AppError(
        'SERVICE_UNAVAILABLE',
        'The server is shutting down; retry on another instance',
        undefined,
        {
          headers: { 'retry-after': '5', connection: 'close' },
        },
      );
    }
  });

  // One log line per request: id, route, status, latency, actor, error code. Written through the app's logger with
  // the id in the line (the request's own logger would be made for it), without redaction: fixed fields only
  // (lib/logger.ts, requestLineLogger).
  const requestLines = requestLineLogger(deps.logger);
  app.addHook('onResponse', async (request, reply) => {
    if (!requestLines.isLevelEnabled('info')) return;
    requestLines.info(
      {
        requestId: request.id,
        method: request.method,
        route: request.routeOptions.url ?? null,
        path: request.url.split('?')[0],
        status: reply.statusCode,
        latencyMs: Math.round(reply.elapsedTime * 100) / 100,
        actorId: request.actorId ?? null,
        ...(request.errorCode ? { code: request.errorCode } : {}),
      },
      'request',
    );
  });

  app.decorate('drain', () => {
    closing = true;
  });
  app.addHook('preClose', async () => {
    closing = true;
  });

  // While closing, each answer ends its connection, so keep-alive sockets do not hold the close open.
  app.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });

  // Unknown paths and wrong methods are answered before the body is read or parsed; a page of the dashboard's own
  // (any GET outside the API's paths) is the app, which routes it in the browser.
  app.setNotFoundHandler(async (request, reply) => {
    if (dashboard?.serves(request)) return dashboard.sendApp(request, reply);
    throw routeNotFound(registry, request.method, request.url);
  });

  // Authentication runs after the 404/405 and closing checks above, before any body is read.
  await app.register(cookie);
  const lastUsed = createLastUsedTracker(db);
  const limiter = await createRateLimiter({ db, redisUrl: config.redisUrl, log: app.log });
  const sealer = createSealer(loadSecretKey(config));
  const keyRing = createKeyRing({ db, clock, sealer });
  // The Client API's address limits come first, as they did in one hook: they refuse before any other work.
  registerClientLimits(app, {
    limiter,
    clock,
    limits: {
      clientKey: config.rateLimits.clientKey,
      clientIp: config.rateLimits.clientIp,
      trialIp: config.rateLimits.trialIp,
    },
  });
  registerAuthentication(app, {
    db,
    clock,
    lastUsed,
    limiter,
    keyRing,
    sealer,
    oauthRequired: config.oauthRequired,
    sessionIdleSeconds: config.session.idleSeconds,
    managementLimit: config.rateLimits.management,
  });
  registerIdempotency(app, { db, clock, sealer });
  registerApprovalGate(app, approvalKindsOf(config.requireApproval));
  const usage = createUsageRecorder({ db, clock, log: app.log }, config.workers.usageFlushSeconds * 1000);
  const metrics = createMetrics();
  const monitorMetrics = createMonitorMetrics({ db, clock }, metrics.registry);
  metrics.scrape(monitorMetrics);
  metrics.scrape(createWebhookMetrics({ db }, metrics.registry));
  metrics.scrape(createIncidentMetrics({ db }, metrics.registry));
  metrics.scrape(createActionMetrics({ db, clock }, metrics.registry));
  metrics.scrape(createMailMetrics({ db }, metrics.registry));
  const validationMetrics = createValidationMetrics(metrics.registry);
  app.addHook('onResponse', async (request, reply) => {
    metrics.observeRequest(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
  });
  const poller = createPoller({
    db,
    clock,
    onPoll: monitorMetrics.observePoll,
    utilities: { lmutil: config.monitor.lmutil, rlmutil: config.monitor.rlmutil },
    concurrency: config.monitor.concurrency,
    logDir: config.monitor.logDir,
    log: app.log,
  });
  app.decorate('poller', poller);
  app.addHook('onClose', async () => {
    await poller.drain();
    // Counts still in memory are written before the storage closes (main.ts closes it after the app).
    await usage.stop();
    await lastUsed.stop();
    await limiter.close();
  });

  await registerOpenApi(app);
  await app.register(healthRoutes({ db }));
  const access = { db, clock, sealer, productIdsOf: referencedProductIds };
  await app.register(sessionRoutes({ ...access, session: config.session }));
  await app.register(apiKeyRoutes(access));
  await app.register(operatorRoutes(access));
  await app.register(auditRoutes(access));
  await app.register(oauthRoutes({ ...access, keyRing, bodyLimit: config.bodyLimit }));
  await app.register(signingKeyRoutes({ ...access, keyRing }));
  await app.register(productRoutes({ db, clock }));
  await app.register(customerRoutes({ db, clock }));
  await app.register(customerMemberRoutes({ db, clock }));
  await app.register(policyRoutes({ db, clock }));
  await app.register(licenseRoutes({ db, clock, sealer }));
  await app.register(orderRoutes({ db, clock, sealer, customerMail: config.customerMail }));
  await app.register(customerMailRoutes({ db }));
  await app.register(releaseRoutes({ db, clock }));
  await app.register(
    integrationRoutes({
      db,
      clock,
      sealer,
      stripe: {
        webhookSecret: config.stripeWebhookSecret,
        apiKey: config.stripeApi.key,
        apiUrl: config.stripeApi.url,
      },
      genericWebhookSecret: config.genericWebhookSecret,
      customerMail: config.customerMail,
    }),
  );
  await app.register(
    webhookEndpointRoutes({ db, clock, sealer, allowPrivateTargets: config.webhooksAllowPrivate }),
  );
  await app.register(incidentRoutes({ db, clock }));
  const notifications = { db, clock, mail: config.mail };
  await app.register(
    actionRoutes({
      db,
      clock,
      sealer,
      ttlMs: config.actions.ttlHours * 3_600_000,
      notify: (tx, action) => notifyApprovalPending(notifications, tx, action),
    }),
  );
  await app.register(monitorRoutes({ db, clock, poller, logDir: config.monitor.logDir }));
  await app.register(metricsRoutes(metrics, { public: config.metricsPublic }));
  await app.register(blocklistRoutes({ db, clock }));
  await app.register(machineRoutes({ db, clock }));
  await app.register(
    userRoutes({ db, clock, sealer, customerMail: config.customerMail, publicUrl: config.publicUrl }),
  );
  await app.register(leaseRoutes({ db, clock }));
  await app.register(usageRoutes({ db, clock, usage }));
  const writes = createWriteBatcher(db);
  const validations = createValidationCache(db, {
    capacity: config.validationCache.size,
    ttlMs: config.validationCache.ttlSeconds * 1000,
    log: app.log,
    writes,
  });
  if (validations) registerValidationCacheMetrics(metrics.registry, validations);
  app.addHook('onClose', async () => validations?.close());
  const client = {
    db,
    clock,
    sealer,
    keyRing,
    writes,
    usage,
    validations,
    onValidation: validationMetrics.observeValidation,
    customerMail: config.customerMail,
    passwords: createPasswordChecks(clock),
  };
  await app.register(clientRoutes(client));
  await app.register(clientUserRoutes(client));
  await app.register(portalRoutes({ ...client, session: config.session }));
  await app.register(offlineRoutes(client));
  await app.register(errorReferenceRoutes);
  if (deps.extend) await app.register(deps.extend);
  await app.register(docsRoutes({ registry, security: openApiSecurity }));
  dashboard = await registerDashboard(app, config.dashboardDir);
  // The first start makes the signing key (api.md: signed answers and /v1/public-keys need one from the start).
  await keyRing.active();

  await app.ready();
  return app;
};
