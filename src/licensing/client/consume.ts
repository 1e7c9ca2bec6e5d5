// POST /v1/client/consume: adds to the license's meter or a consumption feature's meter, within the license's
// state, the entitlement and the meter's rule (consumption/service.ts).
import { AppError } from '../../errors/app-error.js';
import {
  consume as addConsumption,
  featureMeterRule,
  licenseMeterRule,
  type MeterRule,
} from '../consumption/service.js';
import { entitlementOf } from '../licenses/entitlements.js';
import { assertDeviceSigned, type DeviceSignature } from '../machines/device-keys.js';
import { activeMachineOf } from '../machines/service.js';
import { productFeatureByCode } from '../products/service.js';
import { type ClientDeps, licenseOfKeyOrThrow, stateFailure } from './checks.js';
import type { ConsumeBody } from './schemas.js';

export const consume = async (deps: ClientDeps, body: ConsumeBody, signed: DeviceSignature) =>
  deps.writes.run(async (tx) => {
    const nowMs = deps.clock.nowMs();
    const found = await licenseOfKeyOrThrow(tx, body.licenseKey);
    const state = stateFailure(found, nowMs, { productCode: body.productCode });
    if (state) throw new AppError(...state);
    const { license, policy } = found;
    if (body.fingerprint !== undefined) {
      const machine = await activeMachineOf(tx, license.id, body.fingerprint);
      if (!machine)
        throw new AppError(
          'MACHINE_NOT_ACTIVATED',
          `This fingerprint is not activated on license ${license.id}`,
        );
      assertDeviceSigned(machine, signed, nowMs);
    }
    let rule: MeterRule | null = licenseMeterRule(policy);
    const feature = body.feature ?? '';
    if (body.feature === undefined) {
      if (!rule) throw new AppError('NOT_CONSUMPTION', `License ${license.id} is not metered`);
    } else {
      const entitlement = entitlementOf(found, body.feature);
      if (!entitlement)
        throw new AppError('FEATURE_NOT_ENTITLED', `License ${license.id} lacks feature ${body.feature}`);
      const productFeature = await productFeatureByCode(tx, found.product.id, body.feature);
      if (productFeature?.kind !== 'consumption')
        throw new AppError(
          'NOT_CONSUMPTION',
          `Feature ${body.feature} is ${productFeature?.kind ?? 'not a product feature'}, not metered`,
        );
      rule = featureMeterRule(policy, entitlement.maxConsumption ?? productFeature.max_consumption);
    }
    if (!rule) throw new AppError('NOT_CONSUMPTION', `License ${license.id} is not metered`);
    return addConsumption(
      tx,
      { licenseId: license.id, feature, licenseStartsAt: license.starts_at },
      rule,
      body.amount,
      nowMs,
      deps,
    );
  });
