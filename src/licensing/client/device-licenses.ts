// POST /v1/client/device-licenses: the licenses active on this device (machines/device-licenses.ts), answered to a
// caller who may know only the fingerprint, so with little (no key) and, for a device with a key, signed.
import type { DeviceSignature } from '../machines/device-keys.js';
import { licensesOnDevice } from '../machines/device-licenses.js';
import type { ClientDeps } from './checks.js';
import type { DeviceLicensesBody } from './schemas.js';

export const deviceLicenses = async (
  deps: ClientDeps,
  body: DeviceLicensesBody,
  signed: DeviceSignature,
) => ({
  data: await licensesOnDevice(deps.db.kysely, body, signed, deps.clock.nowMs()),
});
