// checkout_held_long: one user has held a seat — a monitored server's, or one of Charter's own pools' — for longer
// than N hours (per feature where configured); resolves once the seat is released. A monitored session's start is
// the server's local time as the utility prints it, read in this host's time zone.
import { currentSessions } from '../../../monitor/usage/service.js';
import type { Rule } from '../engine.js';

export const checkoutHeldLongRule = (hours: number, byFeature: Record<string, number>): Rule => ({
  kind: 'checkout_held_long',
  autoResolve: true,
  evaluate: async ({ db, clock, nowMs }) => {
    const { data } = await currentSessions({ db, clock }, {});
    const open = [];
    for (const session of data) {
      // A Charter pool is `<license>/<feature or seats>`: its feature part takes a per-feature setting too.
      const limitHours =
        byFeature[session.feature] ?? byFeature[session.feature.split('/').pop() ?? ''] ?? hours;
      if (limitHours === 0 || !session.startedAt) continue;
      const since = Date.parse(session.startedAt);
      if (!Number.isFinite(since) || nowMs - since < limitHours * 3_600_000) continue;
      const handle = 'handle' in session ? session.handle : undefined;
      open.push({
        kind: 'checkout_held_long' as const,
        severity: 'info' as const,
        title: `${session.user || session.host} has held ${session.feature} on ${session.serverId} for over ${limitHours} h`,
        subject: handle
          ? { type: 'lease', id: handle }
          : {
              type: 'monitored_session',
              id: `${session.serverId}/${session.feature}/${session.identity}/${session.startedAt}`.slice(
                0,
                200,
              ),
            },
        details: {
          serverId: session.serverId,
          feature: session.feature,
          user: session.user,
          host: session.host,
          since: session.startedAt,
          limitHours,
        },
      });
    }
    return { open };
  },
  cleared: () => 'The seat was released',
});
