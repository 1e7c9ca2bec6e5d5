// feature_saturated: a monitored feature or one of Charter's floating pools (server `charter`) had every seat in
// use, or refused someone, at every successful poll for the window; resolves once below 90 % with no refusal for
// the window. Between the two, an open incident stays open. Opening emits monitor.feature_saturated.

import { emitEvent } from '../../../events/service.js';
import { featureSeriesSince, type UsagePoint } from '../../../monitor/usage/service.js';
import type { Rule } from '../engine.js';

const full = (point: UsagePoint) => point.issued !== null && point.issued > 0 && point.inUse >= point.issued;
const saturated = (point: UsagePoint) => full(point) || point.denials > 0;
const calm = (point: UsagePoint) =>
  point.denials === 0 && (point.issued === null || point.issued === 0 || point.inUse < 0.9 * point.issued);

/** When the run of points meeting `test` that ends with the latest began, or undefined when the latest fails it. */
const runStart = (points: UsagePoint[], test: (point: UsagePoint) => boolean): number | undefined => {
  let start: number | undefined;
  for (let index = points.length - 1; index >= 0; index--) {
    const point = points[index];
    if (!point || !test(point)) break;
    start = point.at;
  }
  return start;
};

export const featureSaturatedRule = (minutes: number): Rule => ({
  kind: 'feature_saturated',
  autoResolve: true,
  evaluate: async ({ db, nowMs }) => {
    const windowMs = minutes * 60_000;
    const series = await featureSeriesSince({ db }, nowMs - 2 * windowMs);
    const open = [];
    const held = [];
    for (const { serverId, feature, points } of series) {
      const id = `${serverId}/${feature}`;
      const since = runStart(points, saturated);
      const latest = points.at(-1);
      if (since !== undefined && latest && nowMs - since >= windowMs) {
        open.push({
          kind: 'feature_saturated' as const,
          severity: 'warning' as const,
          title: `${feature} on ${serverId} has been saturated for ${minutes} min`,
          subject: { type: 'monitored_feature', id },
          details: {
            serverId,
            feature,
            issued: latest.issued,
            inUse: latest.inUse,
            denials: points.reduce((sum, point) => sum + point.denials, 0),
            since: new Date(since).toISOString(),
          },
        });
        continue;
      }
      const calmSince = runStart(points, calm);
      if (calmSince === undefined || nowMs - calmSince < windowMs) held.push(id);
    }
    return { open, held };
  },
  opened: async (tx, incident, finding) => {
    await emitEvent(tx, incident.opened_at, {
      type: 'monitor.feature_saturated',
      subject: { type: 'monitored_feature', id: finding.subject.id },
      object: { ...finding.details, incidentId: incident.id },
    });
  },
  cleared: () => 'Below 90 % of its seats, with no refusal, for the window',
});
