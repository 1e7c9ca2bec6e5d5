// The one error catalog (spec/errors.md): every code Charter can answer, with its HTTP status,
// retryability, title, when it happens and what the caller should do. Everything else is generated from it.

export interface CatalogEntry {
  readonly status: number;
  readonly retryable: boolean;
  readonly group: string;
  readonly title: string;
  readonly description: string;
  readonly resolution: string;
}

export const catalog = {
  // Request
  INVALID_JSON: {
    group: 'Request',
    status: 400,
    retryable: false,
    title: 'Invalid JSON',
    description:
      'The request body is not parseable JSON (or not valid UTF-8, or nested deeper than the server accepts).',
    resolution: 'Send a well-formed UTF-8 JSON document.',
  },
  VALIDATION_ERROR: {
    group: 'Request',
    status: 400,
    retryable: false,
    title: 'Validation failed',
    description:
      'The body, query or path fails the route schema; `details.issues` lists every failing field.',
    resolution: 'Fix every field listed in `details.issues` and send the request again.',
  },
  MISSING_HEADER: {
    group: 'Request',
    status: 400,
    retryable: false,
    title: 'Missing header',
    description: 'A required header is absent (`Idempotency-Key` on `POST /v1/orders`).',
    resolution: 'Add the header named in the message.',
  },
  HEADERS_TOO_LARGE: {
    group: 'Request',
    status: 431,
    retryable: false,
    title: 'Headers too large',
    description: 'The request headers are over the server limit (16 KiB).',
    resolution: 'Send fewer or shorter headers (large cookies are the usual cause).',
  },
  INVALID_QUERY: {
    group: 'Request',
    status: 400,
    retryable: false,
    title: 'Invalid query',
    description: 'A query parameter is malformed: a bad cursor, an unknown filter or a bad sort.',
    resolution: 'Use a cursor exactly as returned in `nextCursor` and only the documented filters.',
  },
  UNSUPPORTED_MEDIA_TYPE: {
    group: 'Request',
    status: 415,
    retryable: false,
    title: 'Unsupported media type',
    description: 'A body was sent with a content type other than JSON.',
    resolution: 'Send the body as JSON with `Content-Type: application/json`.',
  },
  BODY_TOO_LARGE: {
    group: 'Request',
    status: 413,
    retryable: false,
    title: 'Body too large',
    description: 'The request body is over the configured limit (`CHARTER_BODY_LIMIT`, 1 MiB by default).',
    resolution: 'Send a smaller body, or split the work into several requests.',
  },
  NOT_FOUND: {
    group: 'Request',
    status: 404,
    retryable: false,
    title: 'Not found',
    description:
      'No route matches the path, or no resource has that id (or the caller may not know it exists).',
    resolution: 'Check the path and the id; list the collection to find valid ids.',
  },
  METHOD_NOT_ALLOWED: {
    group: 'Request',
    status: 405,
    retryable: false,
    title: 'Method not allowed',
    description: 'The path exists but not with this method; the `Allow` header lists the methods it has.',
    resolution: 'Use one of the methods in the `Allow` header.',
  },
  GONE: {
    group: 'Request',
    status: 410,
    retryable: false,
    title: 'Gone',
    description: 'The resource existed and was deleted.',
    resolution: 'Stop referring to this id; create a new resource if needed.',
  },
  IDEMPOTENCY_KEY_REUSED: {
    group: 'Request',
    status: 409,
    retryable: false,
    title: 'Idempotency key reused',
    description: 'The same `Idempotency-Key` was sent earlier with a different body.',
    resolution: 'Use a new `Idempotency-Key` for a different request.',
  },

  // Authentication and access
  AUTH_MISSING: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Credential missing',
    description: 'No credential was sent to a route that needs one.',
    resolution:
      'Send an API key (`Authorization: Bearer ck_…` or `X-API-Key`), an OAuth access token or a session cookie.',
  },
  AUTH_INVALID: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Credential invalid',
    description:
      'The credential is unknown or malformed: an unknown or garbled API key, an unknown or logged-out session, a bearer value that is neither `ck_…` nor a JWT.',
    resolution: 'Check that the whole key was copied; create a new key if it was lost.',
  },
  AUTH_EXPIRED: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'API key expired',
    description: 'The API key is past its `expiresAt`.',
    resolution: 'Create a new API key.',
  },
  AUTH_REVOKED: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Credential revoked',
    description: 'The API key was revoked, or the token belongs to a revoked OAuth client.',
    resolution: 'Use another key or client; revocation is final.',
  },
  INVALID_CREDENTIALS: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Invalid credentials',
    description: 'Login with a wrong email or password (the same answer for both).',
    resolution: 'Check the email and password.',
  },
  SESSION_EXPIRED: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Session expired',
    description: 'The session cookie is past its idle or absolute lifetime.',
    resolution: 'Sign in again.',
  },
  OAUTH_TOKEN_EXPIRED: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Access token expired',
    description: 'The bearer access token is past its expiry.',
    resolution: 'Request a new token from `POST /v1/oauth/token`.',
  },
  OAUTH_TOKEN_MALFORMED: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Access token malformed',
    description: 'A bearer JWT cannot be parsed or its signature fails.',
    resolution: 'Use the `access_token` exactly as returned by `POST /v1/oauth/token`.',
  },
  INVALID_CLIENT_CREDENTIALS: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Invalid client credentials',
    description: '`POST /v1/oauth/token` with a wrong client id or secret.',
    resolution: 'Check the client id and secret; create a new OAuth client if the secret was lost.',
  },
  SIGNATURE_REQUIRED: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Signature required',
    description: 'The key requires request signing and one or more signature headers are missing.',
    resolution:
      'Send `X-Charter-Timestamp`, `X-Charter-Nonce` and `X-Charter-Signature` on every request with this key.',
  },
  SIGNATURE_MISMATCH: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Signature mismatch',
    description:
      'The request signature is wrong, its timestamp is outside ±300 s, or its nonce was used before.',
    resolution:
      'Sign the exact method, path, query and body with the signing secret; sync the clock; use a fresh nonce.',
  },
  INVALID_SIGNATURE: {
    group: 'Authentication and access',
    status: 401,
    retryable: false,
    title: 'Invalid webhook signature',
    description: 'An inbound webhook signature is wrong.',
    resolution: 'Configure the same endpoint secret on both sides.',
  },
  FORBIDDEN: {
    group: 'Authentication and access',
    status: 403,
    retryable: false,
    title: 'Forbidden',
    description: 'The caller is known but its role lacks the permission.',
    resolution:
      'Ask an owner or admin for a role with this permission, or use the route named in the message.',
  },
  AUTH_INSUFFICIENT: {
    group: 'Authentication and access',
    status: 403,
    retryable: false,
    title: 'Scope missing',
    description: 'The key or token lacks the scope; `details.required` names it.',
    resolution: 'Use a key or token with the scope in `details.required`.',
  },
  READ_ONLY_KEY: {
    group: 'Authentication and access',
    status: 403,
    retryable: false,
    title: 'Read-only key',
    description: 'A read-only key attempted a write.',
    resolution: 'Use a key that is not read-only.',
  },
  PRODUCT_NOT_ALLOWED: {
    group: 'Authentication and access',
    status: 403,
    retryable: false,
    title: 'Product not allowed',
    description: 'The key or client is restricted to other products.',
    resolution: 'Use a key whose `productIds` include this product.',
  },
  OAUTH_REQUIRED: {
    group: 'Authentication and access',
    status: 403,
    retryable: false,
    title: 'OAuth required',
    description: 'The deployment forbids API keys for this route class.',
    resolution: 'Authenticate with an OAuth access token.',
  },
  CSRF_VALIDATION_FAILED: {
    group: 'Authentication and access',
    status: 403,
    retryable: false,
    title: 'CSRF check failed',
    description: 'A cookie-authenticated unsafe request came without a valid `X-CSRF-Token`.',
    resolution: 'Send the CSRF token returned by login or `GET /v1/auth/session` in `X-CSRF-Token`.',
  },
  ACCOUNT_DISABLED: {
    group: 'Authentication and access',
    status: 403,
    retryable: false,
    title: 'Account disabled',
    description: 'The operator account is disabled.',
    resolution: 'Ask an owner to enable the account.',
  },
  SELF_APPROVAL_FORBIDDEN: {
    group: 'Authentication and access',
    status: 403,
    retryable: false,
    title: 'Self-approval forbidden',
    description: 'The approver proposed the action.',
    resolution: 'Ask another operator with `actions:approve` to decide.',
  },

  // Limits
  RATE_LIMIT_EXCEEDED: {
    group: 'Limits',
    status: 429,
    retryable: true,
    title: 'Rate limit exceeded',
    description: 'Too many requests in the window; `Retry-After` says when to try again.',
    resolution: 'Wait `Retry-After` seconds, then retry; spread requests out.',
  },
  QUOTA_EXCEEDED: {
    group: 'Limits',
    status: 429,
    retryable: true,
    title: 'Quota exceeded',
    description: 'The daily or monthly quota of the key is used up; `Retry-After` points at the reset.',
    resolution: 'Wait for the reset, or ask for a larger quota.',
  },

  // Catalog resources
  ALREADY_EXISTS: {
    group: 'Catalog resources',
    status: 409,
    retryable: false,
    title: 'Already exists',
    description:
      'A unique field is taken (product code, policy code, email, order id, license key); `details.field` names it.',
    resolution: 'Use another value, or fetch the existing resource.',
  },
  CONFLICT: {
    group: 'Catalog resources',
    status: 409,
    retryable: true,
    title: 'Conflict',
    description: 'The resource changed under the request: a concurrent update won.',
    resolution: 'Fetch the resource again and retry.',
  },
  PRODUCT_ARCHIVED: {
    group: 'Catalog resources',
    status: 422,
    retryable: false,
    title: 'Product archived',
    description: 'Activation or issue on an archived product.',
    resolution: 'Issue licenses of an active product.',
  },
  PRODUCT_DISABLED: {
    group: 'Catalog resources',
    status: 422,
    retryable: false,
    title: 'Product disabled',
    description: 'Activation on a disabled product.',
    resolution: 'Ask the vendor to enable the product.',
  },
  UNKNOWN_PRODUCT: {
    group: 'Catalog resources',
    status: 422,
    retryable: false,
    title: 'Unknown product',
    description: 'A product code or id referenced in the body does not exist.',
    resolution: 'Check the product code or id.',
  },
  UNKNOWN_POLICY: {
    group: 'Catalog resources',
    status: 422,
    retryable: false,
    title: 'Unknown policy',
    description: 'A referenced policy does not exist or belongs to another product.',
    resolution: 'Use a policy of the same product.',
  },
  UNKNOWN_CUSTOMER: {
    group: 'Catalog resources',
    status: 422,
    retryable: false,
    title: 'Unknown customer',
    description:
      'A referenced customer (by id or email) does not exist or is not visible to the caller (LicenseSpring `customer_does_not_exist`, `customer_account_not_found`).',
    resolution: 'Check the customer id, or create the customer first.',
  },
  PRODUCT_MISMATCH: {
    group: 'Catalog resources',
    status: 422,
    retryable: false,
    title: 'Product mismatch',
    description:
      "A Client API call named a `productCode` the license does not cover: neither the license's product nor, for a bundle's license, one of the bundle's members.",
    resolution: 'Call with the product the license was issued for, or a member of its bundle.',
  },
  CUSTOMER_INACTIVE: {
    group: 'Catalog resources',
    status: 422,
    retryable: false,
    title: 'Customer inactive',
    description: "The license's customer is inactive.",
    resolution: 'Ask the vendor to reactivate the customer.',
  },
  QUANTITY_TOO_LARGE: {
    group: 'Catalog resources',
    status: 422,
    retryable: false,
    title: 'Quantity too large',
    description: "An order's total quantity is over the per-request maximum (1000 by default).",
    resolution: 'Split the order into several smaller orders.',
  },

  // License state
  LICENSE_NOT_FOUND: {
    group: 'License state',
    status: 404,
    retryable: false,
    title: 'License not found',
    description: 'A client call carried a key that matches no license.',
    resolution: 'Check the license key as entered.',
  },
  LICENSE_SUSPENDED: {
    group: 'License state',
    status: 422,
    retryable: false,
    title: 'License suspended',
    description: 'The operation was attempted on a suspended license.',
    resolution: 'Ask the vendor to reinstate the license.',
  },
  LICENSE_REVOKED: {
    group: 'License state',
    status: 422,
    retryable: false,
    title: 'License revoked',
    description: 'The operation was attempted on a revoked license.',
    resolution: 'Revocation is final; obtain a new license.',
  },
  LICENSE_EXPIRED: {
    group: 'License state',
    status: 422,
    retryable: false,
    title: 'License expired',
    description: 'Activation, checkout, borrow or consumption on an expired license.',
    resolution: 'Renew the license.',
  },
  LICENSE_NOT_STARTED: {
    group: 'License state',
    status: 422,
    retryable: false,
    title: 'License not started',
    description: "The license's `startsAt` is still in the future.",
    resolution: 'Wait until `startsAt`.',
  },
  TRIAL_EXPIRED: {
    group: 'License state',
    status: 422,
    retryable: false,
    title: 'Trial expired',
    description: 'The trial has ended.',
    resolution: 'Buy a license.',
  },
  TRIAL_NOT_ALLOWED: {
    group: 'License state',
    status: 422,
    retryable: false,
    title: 'Trial not allowed',
    description: 'The product offers no trial, or this fingerprint or email already had one.',
    resolution: 'Buy a license.',
  },
  INVALID_TRANSITION: {
    group: 'License state',
    status: 409,
    retryable: false,
    title: 'Invalid transition',
    description:
      'The state machine forbids this action from the current status; `details.currentStatus` names it.',
    resolution: "Check the resource's status before acting.",
  },

  // Machines and activation
  MACHINE_LIMIT_EXCEEDED: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'Machine limit exceeded',
    description:
      'Activating one more machine would pass `maxMachines`, or the limit was lowered below the active count.',
    resolution: 'Deactivate a machine, or ask for a higher limit.',
  },
  USER_MACHINE_LIMIT_EXCEEDED: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'User machine limit exceeded',
    description: 'A license user is over their own activation limit.',
    resolution: "Deactivate one of the user's machines.",
  },
  MACHINE_NOT_ACTIVATED: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'Machine not activated',
    description:
      'The operation needs an active machine for this fingerprint on this license (also a replayed offline deactivation proof).',
    resolution: 'Activate the machine first.',
  },
  HEARTBEAT_DEAD: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'Heartbeat dead',
    description: 'The machine missed its heartbeats (2× `heartbeatSeconds`) and is dead.',
    resolution: 'Activate the machine again.',
  },
  DEVICE_BLOCKED: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'Device blocked',
    description: 'The fingerprint is on the blocklist.',
    resolution: 'Contact the vendor.',
  },
  VM_NOT_ALLOWED: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'Virtual machine not allowed',
    description: 'The client reports a virtual machine and the policy forbids it.',
    resolution: 'Run on a physical machine, or ask for a policy that allows VMs.',
  },
  TRANSFER_LIMIT_EXCEEDED: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'Transfer limit exceeded',
    description: 'Transfers are over `maxTransfers`.',
    resolution: 'Ask the vendor for a higher limit or a new license.',
  },
  DEACTIVATION_LIMIT_EXCEEDED: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'Deactivation limit exceeded',
    description: "A deactivation is past `maxDeactivations` in the policy's window.",
    resolution: 'Wait for the window to pass.',
  },
  LICENSE_USER_NOT_FOUND: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'License user not found',
    description: 'A user-based license and the user is not assigned to it.',
    resolution: 'Ask the vendor to assign the user.',
  },
  LICENSE_USERS_LIMIT_EXCEEDED: {
    group: 'Machines and activation',
    status: 422,
    retryable: false,
    title: 'License users limit exceeded',
    description: 'Assigning one more user would pass `maxUsers`.',
    resolution: 'Remove a user, or ask for a higher limit.',
  },

  // Floating, borrowing, consumption, features
  NOT_FLOATING: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: false,
    title: 'Not floating',
    description: 'Checkout, borrow or release on a license or feature that is not floating.',
    resolution: 'Use activate for node-locked licenses.',
  },
  FLOATING_NOT_AVAILABLE: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: true,
    title: 'No seat available',
    description:
      'Every seat is leased; `details.seats` and `details.inUse` say how many. A denial is recorded.',
    resolution: 'Retry later, when a seat is released or its lease expires.',
  },
  LEASE_NOT_FOUND: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: false,
    title: 'Lease not found',
    description: 'Release or heartbeat for a fingerprint that holds no lease.',
    resolution: 'Check out a seat first.',
  },
  BORROW_NOT_ALLOWED: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: false,
    title: 'Borrowing not allowed',
    description: 'The policy forbids borrowing.',
    resolution: 'Stay online, or ask for a policy that allows borrowing.',
  },
  BORROW_UNTIL_INVALID: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: false,
    title: 'Borrow end invalid',
    description: "`until` is in the past or past the policy's maximum.",
    resolution: 'Choose an `until` within `maxBorrowSeconds` from now.',
  },
  NOT_CONSUMPTION: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: false,
    title: 'Not metered',
    description: 'Consumption on a license or feature that is not metered.',
    resolution: 'Record consumption only for metered features.',
  },
  CONSUMPTION_LIMIT_EXCEEDED: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: false,
    title: 'Consumption limit exceeded',
    description: 'The amount would pass the maximum and overage is off.',
    resolution: 'Wait for the period reset, or ask for a higher maximum.',
  },
  NEGATIVE_CONSUMPTION_NOT_ALLOWED: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: false,
    title: 'Negative consumption not allowed',
    description: 'A negative amount where the policy forbids it.',
    resolution: 'Send a positive amount.',
  },
  FEATURE_NOT_ENTITLED: {
    group: 'Floating, borrowing, consumption, features',
    status: 422,
    retryable: false,
    title: 'Feature not entitled',
    description: 'The license has no such feature (in validation: not every feature asked for is entitled).',
    resolution: 'Ask the vendor to add the feature to the license.',
  },

  // Offline and signing
  OFFLINE_NOT_ALLOWED: {
    group: 'Offline and signing',
    status: 422,
    retryable: false,
    title: 'Offline not allowed',
    description: 'The policy forbids offline activation (floating licenses never allow it).',
    resolution: 'Activate online.',
  },
  OFFLINE_SIGNATURE_MISMATCH: {
    group: 'Offline and signing',
    status: 401,
    retryable: false,
    title: 'Offline proof invalid',
    description: 'The offline deactivation proof does not verify.',
    resolution: 'Generate the proof again on the machine with its license file.',
  },
  OFFLINE_REQUEST_INVALID: {
    group: 'Offline and signing',
    status: 400,
    retryable: false,
    title: 'Offline request invalid',
    description: 'The offline request file is empty, undecodable or of an unknown version.',
    resolution: 'Upload the request file exactly as the client SDK wrote it.',
  },

  // Customer accounts, user sign-in and devices
  INVALID_PRODUCT_AUTH_METHOD: {
    group: 'Customer accounts and devices',
    status: 422,
    retryable: false,
    title: 'Wrong sign-in method for the product',
    description:
      'A Client API call signed in with `email` and `password` on a product whose `licenseModel` is `key`, or a user-only call on such a product (LicenseSpring `invalid_product_auth_method`).',
    resolution:
      'Send the `licenseKey` for a key-based product; sign in by email and password only on a user-based one.',
  },
  USER_NOT_ASSIGNED_TO_PRODUCT: {
    group: 'Customer accounts and devices',
    status: 422,
    retryable: false,
    title: 'User not assigned to the product',
    description:
      'The signed-in license user holds no license of the product asked for (LicenseSpring `user_not_assigned_to_product`).',
    resolution: "Ask the customer's license manager or the vendor to assign you a seat.",
  },
  CHANGE_PASSWORD_NOT_ALLOWED: {
    group: 'Customer accounts and devices',
    status: 403,
    retryable: false,
    title: 'Changing the password is not allowed',
    description:
      'A license user asked to change their password and the policy of every license they hold forbids it (`allowPasswordChange: false`) (LicenseSpring `change_password_not_allowed`).',
    resolution: 'Ask the vendor to set the password.',
  },
  CUSTOMER_NOT_FOUND: {
    group: 'Customer accounts and devices',
    status: 404,
    retryable: false,
    title: 'Customer not found',
    description:
      "Through the portal: the customer, or a license, user or machine of it, is not one the signed-in manager manages. Another customer's data answers exactly as missing data (LicenseSpring `customer_not_found`).",
    resolution: 'Sign in as a manager of that customer.',
  },
  CUSTOMER_ACCOUNT_MISMATCH: {
    group: 'Customer accounts and devices',
    status: 422,
    retryable: false,
    title: 'Customer account mismatch',
    description:
      'A body names a customer account other than the one the request acts for (LicenseSpring `customer_account_id_mismatch`).',
    resolution: 'Send the id of the customer in the path, or leave the field out.',
  },
  MANAGER_NOT_ELIGIBLE: {
    group: 'Customer accounts and devices',
    status: 422,
    retryable: false,
    title: 'User cannot be made a manager',
    description:
      'A license manager was asked for a user who is not a member of that customer, or whose account or customer is disabled or deleted (LicenseSpring `adding_manager_error`).',
    resolution: 'Add the user to the customer first, or enable the account.',
  },
  PRODUCT_NOT_BUNDLE: {
    group: 'Customer accounts and devices',
    status: 422,
    retryable: false,
    title: 'Product is not a bundle',
    description:
      'A bundle-only call (its member products) names a product whose `kind` is not `bundle` (LicenseSpring `product_not_bundle`).',
    resolution: 'Name a bundle product, or create one with `kind: bundle`.',
  },
  DEVICE_LICENSES_NOT_FOUND: {
    group: 'Customer accounts and devices',
    status: 404,
    retryable: false,
    title: 'No license on this device',
    description:
      'No license is active on the device with this fingerprint (for this product, when one is named) (LicenseSpring `license_hwid_not_found`).',
    resolution: 'Activate a license on the device first.',
  },
  HARDWARE_KEY_CERTIFICATE_MISSING: {
    group: 'Customer accounts and devices',
    status: 422,
    retryable: false,
    title: 'Device key missing',
    description:
      'The policy requires a device key and the activation sent none in `deviceKey` (LicenseSpring `missing_hardware_key_certificate`).',
    resolution:
      "Send the device's Ed25519 public key (SPKI PEM or an X.509 certificate) in `deviceKey`; the SDK does so when given a key.",
  },
  HARDWARE_KEY_REQUIRED: {
    group: 'Customer accounts and devices',
    status: 401,
    retryable: false,
    title: 'Device signature required',
    description:
      'The machine was activated with a device key and the call carries no `Charter-Device-Signature` header (LicenseSpring `hardware_key_required`).',
    resolution:
      'Sign the body with the device key and send the signature in `Charter-Device-Signature`; the SDK does so when given the key.',
  },
  HARDWARE_KEY_SIGNATURE_MISMATCH: {
    group: 'Customer accounts and devices',
    status: 401,
    retryable: false,
    title: 'Device signature mismatch',
    description:
      "The `Charter-Device-Signature` header does not verify with the machine's device key over this body (LicenseSpring `hardware_key_signature_mismatch`).",
    resolution: 'Sign the exact bytes sent with the key registered at activation.',
  },

  // Releases
  ACTIVE_LICENSE_REQUIRED: {
    group: 'Releases',
    status: 422,
    retryable: false,
    title: 'Active license required',
    description: 'Versions or an installation file were asked for with a license that is not valid.',
    resolution: 'Renew or reinstate the license.',
  },
  VERSION_NOT_FOUND: {
    group: 'Releases',
    status: 404,
    retryable: false,
    title: 'Version not found',
    description: 'No release matches.',
    resolution: 'List the versions available to the license.',
  },

  // Ops
  NOTIFICATION_FAILED: {
    group: 'Ops',
    status: 502,
    retryable: true,
    title: 'Notification failed',
    description:
      'Outbound mail or webhook delivery failed: while the request waited on it, or for good after its retries (shown on the order or license it concerns) (LicenseSpring `mail_sending_error`).',
    resolution: 'Retry; check the mail or webhook target.',
  },

  // License monitor
  LICENSE_SERVER_UNREACHABLE: {
    group: 'License monitor',
    status: 502,
    retryable: true,
    title: 'License server unreachable',
    description: 'The utility ran and reports it cannot connect to the license server.',
    resolution: 'Check that the license server runs and that its port and host are reachable from Charter.',
  },
  LICENSE_QUERY_FAILED: {
    group: 'License monitor',
    status: 500,
    retryable: true,
    title: 'License query failed',
    description: 'The utility ran and reports another error.',
    resolution: 'Read `details.stderr`; retry the poll.',
  },
  LICENSE_PARSE_ERROR: {
    group: 'License monitor',
    status: 500,
    retryable: false,
    title: 'License output unparseable',
    description: "The utility's output could not be parsed; the raw output is kept with the poll.",
    resolution: 'Report the kept output so the parser can learn the format.',
  },
  COMMAND_EXECUTION_FAILED: {
    group: 'License monitor',
    status: 500,
    retryable: false,
    title: 'Command failed to start',
    description: 'The utility could not be started (missing binary, permission).',
    resolution: 'Set `CHARTER_LMUTIL` / `CHARTER_RLMUTIL` to an executable path.',
  },
  COMMAND_TIMEOUT: {
    group: 'License monitor',
    status: 504,
    retryable: true,
    title: 'Command timed out',
    description: "The utility ran past the server's timeout and was killed.",
    resolution: "Raise `timeoutSeconds`, or check the license server's load.",
  },

  // Server
  INTERNAL_ERROR: {
    group: 'Server',
    status: 500,
    retryable: true,
    title: 'Internal error',
    description: 'An unexpected failure; it is logged with the request id.',
    resolution: 'Retry; if it persists, report the `requestId`.',
  },
  DATABASE_ERROR: {
    group: 'Server',
    status: 500,
    retryable: true,
    title: 'Database error',
    description: 'A storage failure (lock timeout, connection lost).',
    resolution: 'Retry with backoff.',
  },
  UPSTREAM_ERROR: {
    group: 'Server',
    status: 502,
    retryable: true,
    title: 'Upstream error',
    description: 'A dependency (Redis, SMTP) failed.',
    resolution: 'Retry with backoff.',
  },
  SERVICE_UNAVAILABLE: {
    group: 'Server',
    status: 503,
    retryable: true,
    title: 'Service unavailable',
    description: 'Shutting down, migrations pending, or storage unreachable; `Retry-After` is set.',
    resolution: 'Wait `Retry-After` seconds, then retry.',
  },
  TIMEOUT: {
    group: 'Server',
    status: 504,
    retryable: true,
    title: 'Timeout',
    description: 'The request passed its server-side deadline.',
    resolution: 'Retry; ask for less work per request.',
  },
} as const satisfies Record<string, CatalogEntry>;

export type ErrorCode = keyof typeof catalog;

export const errorCodes = Object.keys(catalog) as ErrorCode[];

/** Link to the code's entry in the served error reference. */
export const docsLink = (code: ErrorCode): string => `/docs/errors#${code}`;
