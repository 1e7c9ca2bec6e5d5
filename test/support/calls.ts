// Request helpers for HTTP tests: a Management call with an API key, and a Client API call (license key in body).
import type { FastifyInstance } from 'fastify';
import { bearer } from './access.js';
import type { TestApp } from './app.js';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** `call(method, url, payload?)` as the holder of `secret()` (read at each call: keys are made in `before`). */
export const managementCalls =
  (t: () => TestApp, secret: () => string) => (method: Method, url: string, payload?: unknown) =>
    t().app.inject({
      method,
      url,
      headers: bearer(secret()),
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

/** `client(route, payload, app?)`: POST /v1/client/{route}, on the test app or another instance. */
export const clientCalls =
  (t: () => TestApp) => (route: string, payload: Record<string, unknown>, app?: FastifyInstance) =>
    (app ?? t().app).inject({ method: 'POST', url: `/v1/client/${route}`, payload });
