// POST /v1/client/trial: a trial license activated on this device (licensing/trials), answered as an activation
// is, with its key and license file.
import { issueLicenseFile } from '../license-files/issue.js';
import { toMachine } from '../machines/machine.js';
import { bundleMembersOf } from '../products/service.js';
import { startTrial } from '../trials/service.js';
import { type ClientDeps, present } from './checks.js';
import type { ClientLicense } from './store.js';

export const trial = async (
  deps: ClientDeps,
  body: { productCode: string; fingerprint: string; email?: string | undefined },
) => {
  await deps.keyRing.active();
  const started = await startTrial(deps, body);
  const found: ClientLicense = {
    license: started.license,
    policy: started.policy,
    product: {
      id: started.product.id,
      code: started.product.code,
      status: started.product.status,
      licenseModel: started.product.license_model,
      // A trial of a bundle covers its members: its license file lists them.
      members: await bundleMembersOf(deps.db.kysely, started.product),
    },
    customerStatus: null,
  };
  return {
    licenseKey: started.key,
    license: present(deps, found, 1, started.nowMs),
    machine: toMachine(started.machine, started.policy.heartbeat_seconds, started.nowMs),
    licenseFile: await issueLicenseFile(deps, found, started.machine, started.nowMs),
  };
};
