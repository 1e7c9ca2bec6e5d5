// @charter/sdk: what a vendor's software needs to talk to Charter and to trust it offline. No dependencies
// beyond the platform (fetch, WebCrypto): Node ≥ 20.12, Electron and current browsers. Node-only helpers
// (the machine fingerprint, the file that keeps the last time seen) are in '@charter/sdk/node'.

export { canonicalJson } from './canonical-json.js';
export {
  type Activation,
  CharterClient,
  type CharterClientOptions,
  CharterError,
  type DeviceLicense,
  type Lease,
  type Meter,
  type RetryOptions,
  type ValidationResult,
} from './client.js';
export { defaultClockToleranceSeconds } from './clock-tamper.js';
export { type DeviceKeyInput, type DeviceSigner, generateDeviceKey } from './device-key.js';
export { type ErrorCode, errorCodes, retryableCodes } from './error-codes.js';
export type { PublicKeyEntry, PublicKeys } from './keys.js';
export {
  type LicenseFileFailure,
  type LicenseFileOptions,
  type LicenseFilePayload,
  type LicenseFileVerification,
  verifyLicenseFile,
} from './license-file.js';
export { createDeactivationProof, createOfflineActivationRequest } from './offline.js';
export { type SignedResult, verifyValidation } from './validation.js';
