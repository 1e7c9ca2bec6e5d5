// license_server_down: a monitored server failed its last N polls in a row (unreachable, timeout or a query that
// failed); resolves when a poll succeeds.
import { recentPolls } from '../../../monitor/servers/service.js';
import type { Rule } from '../engine.js';

export const serverDownRule = (polls: number): Rule => ({
  kind: 'license_server_down',
  autoResolve: true,
  evaluate: async ({ db }) => {
    const servers = await recentPolls({ db }, polls);
    const open = [];
    const held = [];
    for (const { server, polls: recent } of servers) {
      const failing = recent.filter((poll) => poll.outcome !== 'ok');
      if (recent.length >= polls && failing.length === recent.length) {
        open.push({
          kind: 'license_server_down' as const,
          severity: 'critical' as const,
          title: `License server ${server.name} (${server.address}) failed its last ${polls} polls`,
          subject: { type: 'monitored_server', id: server.id },
          details: {
            serverId: server.id,
            address: server.address,
            outcomes: recent.map((poll) => poll.outcome),
            lastError: recent[0]?.error_message ?? null,
          },
        });
      } else if (recent[0] && recent[0].outcome !== 'ok') {
        // Not yet N failures in a row, but no success either: an open incident stays open.
        held.push(server.id);
      }
    }
    return { open, held };
  },
  cleared: () => 'A poll of the server succeeded',
});
