// A license's features: its own list when it overrides the policy's, else the policy's (api.md "Entitlements").
import type { LicensesTable, PoliciesTable } from '../../db/schema.js';

export interface Entitlement {
  code: string;
  /** A floating feature's seats on this license (else the product feature's). */
  seats?: number;
  /** A consumption feature's cap on this license (else the product feature's). */
  maxConsumption?: number;
}

type Entitled = { license: Pick<LicensesTable, 'features'>; policy: Pick<PoliciesTable, 'features'> };

const entitlementsOf = (found: Entitled): Entitlement[] =>
  JSON.parse(found.license.features ?? found.policy.features) as Entitlement[];

/** The license's entitlement to a feature, if it has one. */
export const entitlementOf = (found: Entitled, code: string): Entitlement | undefined =>
  entitlementsOf(found).find((feature) => feature.code === code);

export const entitledCodes = (found: Entitled): Set<string> =>
  new Set(entitlementsOf(found).map((feature) => feature.code));
