// feature_expiring: a monitored feature's license (a FlexLM INCREMENT, an RLM pool) ends within N days, by its
// latest snapshot; resolves when the server reports a later end, or the block has ended.
import { latestSnapshots } from '../../../monitor/servers/service.js';
import type { Rule } from '../engine.js';

/** A block's end: the last moment of the day it names (the license runs through its expiry date). */
const endOf = (date: string) => Date.parse(`${date}T23:59:59.999Z`);

export const featureExpiringRule = (days: number): Rule => ({
  kind: 'feature_expiring',
  autoResolve: true,
  evaluate: async ({ db, nowMs }) => {
    const servers = await latestSnapshots({ db });
    const horizon = nowMs + days * 86_400_000;
    const open = [];
    for (const { serverId, snapshot } of servers) {
      for (const feature of snapshot?.features ?? []) {
        const ends = feature.blocks
          .map((block) => (block.expiresAt ? endOf(block.expiresAt) : Number.NaN))
          .filter((end) => Number.isFinite(end) && end > nowMs)
          .sort((a, b) => a - b);
        const soonest = ends[0];
        if (soonest === undefined || soonest > horizon) continue;
        const endsOn = new Date(soonest).toISOString().slice(0, 10);
        open.push({
          kind: 'feature_expiring' as const,
          severity: 'warning' as const,
          title: `${feature.name} on ${serverId}: a license block ends on ${endsOn}`,
          subject: { type: 'monitored_feature', id: `${serverId}/${feature.name}` },
          details: { serverId, feature: feature.name, endsOn, issued: feature.issued },
        });
      }
    }
    return { open };
  },
  cleared: () => 'The server reports a later end, or the block has ended',
});
