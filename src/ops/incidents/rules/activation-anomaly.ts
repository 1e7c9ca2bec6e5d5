// activation_anomaly: more distinct devices tried to activate one license in 24 hours than `factor` × its machine
// limit — a key being shared. It proposes suspend_license with the incident; an operator resolves it.
import type { Executor } from '../../../db/transaction.js';
import { machineLimitsOf } from '../../../licensing/licenses/service.js';
import { licensesTriedByManyDevices } from '../../../licensing/usage/service.js';
import type { Rule } from '../engine.js';

const hourMs = 3_600_000;

/** How the rule proposes its action (the actions domain's proposeActionIn, with its settings). */
export type ProposeSuspension = (
  tx: Executor,
  proposal: { kind: 'suspend_license'; params: { licenseId: string }; reason: string; incidentId: string },
) => Promise<unknown>;

export const activationAnomalyRule = (factor: number, propose: ProposeSuspension): Rule => ({
  kind: 'activation_anomaly',
  autoResolve: false,
  evaluate: async ({ db, nowMs }) => {
    // The 24 hourly counts up to now, this hour included; two days are kept.
    const since = Math.floor(nowMs / hourMs) * hourMs - 23 * hourMs;
    const candidates = await licensesTriedByManyDevices(db.kysely, since, factor, nowMs - 48 * hourMs);
    const limits = await machineLimitsOf(
      db.kysely,
      candidates.map((candidate) => candidate.licenseId),
    );
    const open = [];
    for (const { licenseId, devices } of candidates) {
      const license = limits.get(licenseId);
      if (!license || license.limit === null || devices <= factor * license.limit) continue;
      open.push({
        kind: 'activation_anomaly' as const,
        severity: 'warning' as const,
        title: `${devices} devices tried to activate license ${license.keyPrefix}… (${licenseId}) in 24 h; its limit is ${license.limit}`,
        subject: { type: 'license', id: licenseId },
        details: { licenseId, devices, limit: license.limit, factor },
      });
    }
    return { open };
  },
  opened: async (tx, incident, finding) => {
    await propose(tx, {
      kind: 'suspend_license',
      params: { licenseId: finding.subject.id },
      reason: `${finding.title}: possible key sharing`,
      incidentId: incident.id,
    });
  },
  cleared: () => 'Resolved by an operator',
});
