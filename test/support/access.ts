// Credentials for tests: API keys made through the service, operators signed in through the HTTP login route.
import assert from 'node:assert/strict';
import type { CreateApiKey } from '../../src/access/api-keys/schemas.js';
import { createApiKey } from '../../src/access/api-keys/service.js';
import { systemAuditContext } from '../../src/access/audit/service.js';
import { createOperator } from '../../src/access/operators/service.js';
import type { Role, Scope } from '../../src/access/scopes.js';
import type { TestApp } from './app.js';

export const testPassword = 'correct horse battery staple';

export const createKey = async (
  t: TestApp,
  scopes: Scope[],
  extra: Partial<CreateApiKey> = {},
): Promise<{ id: string; secret: string }> => {
  const { apiKey, secret } = await createApiKey(t, systemAuditContext('test'), undefined, {
    name: `test key ${scopes.join(' ')}`,
    scopes,
    ...extra,
  });
  return { id: apiKey.id, secret };
};

export const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

let operatorCount = 0;

export interface SignedIn {
  operatorId: string;
  email: string;
  cookie: string;
  csrfToken: string;
  /** Headers for a cookie request; with the CSRF token unless told otherwise. */
  headers(options?: { csrf?: boolean }): Record<string, string>;
}

export const addOperator = async (
  t: TestApp,
  role: Role,
  email = `op${++operatorCount}-${role}@example.com`,
) => createOperator(t, systemAuditContext('test'), undefined, { email, role, password: testPassword });

export const signIn = async (t: TestApp, email: string, password = testPassword): Promise<SignedIn> => {
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });
  assert.equal(res.statusCode, 200, res.body);
  const cookie = res.cookies.find((item) => item.name === 'charter_session');
  assert.ok(cookie, 'login sets charter_session');
  const body = res.json() as { csrfToken: string; operator: { id: string } };
  return {
    operatorId: body.operator.id,
    email,
    cookie: `charter_session=${cookie.value}`,
    csrfToken: body.csrfToken,
    headers: (options = {}) => ({
      cookie: `charter_session=${cookie.value}`,
      ...(options.csrf === false ? {} : { 'x-csrf-token': body.csrfToken }),
    }),
  };
};

export const operatorSession = async (t: TestApp, role: Role): Promise<SignedIn> => {
  const operator = await addOperator(t, role);
  return signIn(t, operator.email);
};
