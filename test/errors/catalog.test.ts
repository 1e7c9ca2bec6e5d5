// Pins the error contract: every code of spec/errors.md, plus the codes of the customer-account features (user
// sign-in, managers, bundles, device keys), with status and retryable flag written out here so a change to the
// catalog is always a deliberate change to this table too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { catalog, errorCodes } from '../../src/errors/catalog.js';

const contract: [string, number, boolean][] = [
  ['INVALID_JSON', 400, false],
  ['VALIDATION_ERROR', 400, false],
  ['MISSING_HEADER', 400, false],
  ['HEADERS_TOO_LARGE', 431, false],
  ['INVALID_QUERY', 400, false],
  ['UNSUPPORTED_MEDIA_TYPE', 415, false],
  ['BODY_TOO_LARGE', 413, false],
  ['NOT_FOUND', 404, false],
  ['METHOD_NOT_ALLOWED', 405, false],
  ['GONE', 410, false],
  ['IDEMPOTENCY_KEY_REUSED', 409, false],
  ['AUTH_MISSING', 401, false],
  ['AUTH_INVALID', 401, false],
  ['AUTH_EXPIRED', 401, false],
  ['AUTH_REVOKED', 401, false],
  ['INVALID_CREDENTIALS', 401, false],
  ['SESSION_EXPIRED', 401, false],
  ['OAUTH_TOKEN_EXPIRED', 401, false],
  ['OAUTH_TOKEN_MALFORMED', 401, false],
  ['INVALID_CLIENT_CREDENTIALS', 401, false],
  ['SIGNATURE_REQUIRED', 401, false],
  ['SIGNATURE_MISMATCH', 401, false],
  ['INVALID_SIGNATURE', 401, false],
  ['FORBIDDEN', 403, false],
  ['AUTH_INSUFFICIENT', 403, false],
  ['READ_ONLY_KEY', 403, false],
  ['PRODUCT_NOT_ALLOWED', 403, false],
  ['OAUTH_REQUIRED', 403, false],
  ['CSRF_VALIDATION_FAILED', 403, false],
  ['ACCOUNT_DISABLED', 403, false],
  ['SELF_APPROVAL_FORBIDDEN', 403, false],
  ['RATE_LIMIT_EXCEEDED', 429, true],
  ['QUOTA_EXCEEDED', 429, true],
  ['ALREADY_EXISTS', 409, false],
  ['CONFLICT', 409, true],
  ['PRODUCT_ARCHIVED', 422, false],
  ['PRODUCT_DISABLED', 422, false],
  ['UNKNOWN_PRODUCT', 422, false],
  ['UNKNOWN_POLICY', 422, false],
  ['UNKNOWN_CUSTOMER', 422, false],
  ['PRODUCT_MISMATCH', 422, false],
  ['CUSTOMER_INACTIVE', 422, false],
  ['QUANTITY_TOO_LARGE', 422, false],
  ['LICENSE_NOT_FOUND', 404, false],
  ['LICENSE_SUSPENDED', 422, false],
  ['LICENSE_REVOKED', 422, false],
  ['LICENSE_EXPIRED', 422, false],
  ['LICENSE_NOT_STARTED', 422, false],
  ['TRIAL_EXPIRED', 422, false],
  ['TRIAL_NOT_ALLOWED', 422, false],
  ['INVALID_TRANSITION', 409, false],
  ['MACHINE_LIMIT_EXCEEDED', 422, false],
  ['USER_MACHINE_LIMIT_EXCEEDED', 422, false],
  ['MACHINE_NOT_ACTIVATED', 422, false],
  ['HEARTBEAT_DEAD', 422, false],
  ['DEVICE_BLOCKED', 422, false],
  ['VM_NOT_ALLOWED', 422, false],
  ['TRANSFER_LIMIT_EXCEEDED', 422, false],
  ['DEACTIVATION_LIMIT_EXCEEDED', 422, false],
  ['LICENSE_USER_NOT_FOUND', 422, false],
  ['LICENSE_USERS_LIMIT_EXCEEDED', 422, false],
  ['NOT_FLOATING', 422, false],
  ['FLOATING_NOT_AVAILABLE', 422, true],
  ['LEASE_NOT_FOUND', 422, false],
  ['BORROW_NOT_ALLOWED', 422, false],
  ['BORROW_UNTIL_INVALID', 422, false],
  ['NOT_CONSUMPTION', 422, false],
  ['CONSUMPTION_LIMIT_EXCEEDED', 422, false],
  ['NEGATIVE_CONSUMPTION_NOT_ALLOWED', 422, false],
  ['FEATURE_NOT_ENTITLED', 422, false],
  ['OFFLINE_NOT_ALLOWED', 422, false],
  ['OFFLINE_SIGNATURE_MISMATCH', 401, false],
  ['OFFLINE_REQUEST_INVALID', 400, false],
  ['INVALID_PRODUCT_AUTH_METHOD', 422, false],
  ['USER_NOT_ASSIGNED_TO_PRODUCT', 422, false],
  ['CHANGE_PASSWORD_NOT_ALLOWED', 403, false],
  ['CUSTOMER_NOT_FOUND', 404, false],
  ['CUSTOMER_ACCOUNT_MISMATCH', 422, false],
  ['MANAGER_NOT_ELIGIBLE', 422, false],
  ['PRODUCT_NOT_BUNDLE', 422, false],
  ['DEVICE_LICENSES_NOT_FOUND', 404, false],
  ['HARDWARE_KEY_CERTIFICATE_MISSING', 422, false],
  ['HARDWARE_KEY_REQUIRED', 401, false],
  ['HARDWARE_KEY_SIGNATURE_MISMATCH', 401, false],
  ['ACTIVE_LICENSE_REQUIRED', 422, false],
  ['VERSION_NOT_FOUND', 404, false],
  ['NOTIFICATION_FAILED', 502, true],
  ['LICENSE_SERVER_UNREACHABLE', 502, true],
  ['LICENSE_QUERY_FAILED', 500, true],
  ['LICENSE_PARSE_ERROR', 500, false],
  ['COMMAND_EXECUTION_FAILED', 500, false],
  ['COMMAND_TIMEOUT', 504, true],
  ['INTERNAL_ERROR', 500, true],
  ['DATABASE_ERROR', 500, true],
  ['UPSTREAM_ERROR', 502, true],
  ['SERVICE_UNAVAILABLE', 503, true],
  ['TIMEOUT', 504, true],
];

describe('error catalog', () => {
  it('holds exactly the codes of the contract table', () => {
    assert.deepEqual([...errorCodes].sort(), contract.map(([code]) => code).sort());
  });

  for (const [code, status, retryable] of contract) {
    it(`${code} answers ${status}, retryable ${retryable}`, () => {
      const entry = catalog[code as keyof typeof catalog];
      assert.ok(entry, `${code} is missing from the catalog`);
      assert.equal(entry.status, status);
      assert.equal(entry.retryable, retryable);
    });
  }

  it('gives every code a title, a description and a resolution', () => {
    for (const code of errorCodes) {
      const entry = catalog[code];
      assert.ok(entry.title.length > 0 && entry.description.length > 0 && entry.resolution.length > 0, code);
      assert.match(code, /^[A-Z][A-Z0-9_]*$/);
    }
  });
});
