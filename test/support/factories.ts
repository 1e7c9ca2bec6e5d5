// Set-up through the public API, one call each: a product, a policy, a license, an activated machine. Each asserts
// its 201, so a failing set-up names itself instead of surfacing later as a puzzling assertion.
import assert from 'node:assert/strict';
import type { TestApp } from './app.js';
import { clientCalls, managementCalls } from './calls.js';

/** Request fields, passed through as given: a typo answers 400 and fails the set-up's own assertion. */
export type Fields = Record<string, unknown>;

export interface CreatedProduct {
  id: string;
  code: string;
}

export interface CreatedPolicy {
  id: string;
  code: string;
  productId: string;
}

export interface CreatedLicense {
  id: string;
  key: string;
  keyPrefix: string;
  productId: string;
  policyId: string;
}

export interface ActivatedMachine {
  machine: { id: string; fingerprint: string; status: string };
  license: { id: string; machinesCount: number };
  licenseFile: string;
}

export interface LicenseSetup {
  /** The product's id or code; a new product when absent. */
  product?: string;
  /** The new policy's rules, and its code or name when the test needs them. */
  policy?: Fields;
  /** The license's own fields: customerId, startsAt, expiresAt, trial, maxMachines, features, metadata. */
  license?: Fields;
}

// Product codes are unique across the database and policy codes within a product: a process-wide count keeps the
// generated ones apart (each test file runs in its own process, on a fresh database per dialect).
let codes = 0;
const nextCode = (prefix: string) => `${prefix}-${++codes}`;

const created = async <T>(t: TestApp, admin: string, url: string, payload: Fields): Promise<T> => {
  const res = await managementCalls(
    () => t,
    () => admin,
  )('POST', url, payload);
  assert.equal(res.statusCode, 201, `set-up POST ${url}: ${res.body}`);
  return res.json() as T;
};

export const createProduct = (t: TestApp, admin: string, fields: Fields = {}) =>
  created<CreatedProduct>(t, admin, '/v1/products', {
    code: nextCode('product'),
    name: 'Product',
    ...fields,
  });

/** A policy of `product` (its id or code) with the defaults the API gives, overridden by `rules`. */
export const createPolicy = (t: TestApp, admin: string, product: string, rules: Fields = {}) =>
  created<CreatedPolicy>(t, admin, '/v1/policies', {
    productId: product,
    code: nextCode('policy'),
    name: 'Policy',
    ...rules,
  });

/** A license on a new policy (of `setup.product`, else of a new product). */
export const createLicense = async (t: TestApp, admin: string, setup: LicenseSetup = {}) => {
  const product = setup.product ?? (await createProduct(t, admin)).id;
  const policy = await createPolicy(t, admin, product, setup.policy);
  return created<CreatedLicense>(t, admin, '/v1/licenses', { policyId: policy.id, ...setup.license });
};

/** The machine `fingerprint` activated on the license through the Client API (`extra`: hostname, platform, isVm…). */
export const activateMachine = async (
  t: TestApp,
  licenseKey: string,
  fingerprint: string,
  extra: Fields = {},
) => {
  const res = await clientCalls(() => t)('activate', { licenseKey, fingerprint, ...extra });
  assert.equal(res.statusCode, 201, `set-up activation of ${fingerprint}: ${res.body}`);
  return res.json() as ActivatedMachine;
};
