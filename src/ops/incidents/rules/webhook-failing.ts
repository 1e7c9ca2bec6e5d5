// webhook_failing: an endpoint's last N attempted deliveries failed (each delivery counted by its last attempt, so
// a delivery still retrying counts as failed so far); resolves when a delivery succeeds.
import { recentDeliveryOutcomes } from '../../webhooks/service.js';
import type { Rule } from '../engine.js';

export const webhookFailingRule = (failures: number): Rule => ({
  kind: 'webhook_failing',
  autoResolve: true,
  evaluate: async ({ db }) => {
    const endpoints = await recentDeliveryOutcomes({ db }, failures);
    const open = [];
    const held = [];
    for (const { endpoint, deliveries } of endpoints) {
      if (deliveries.length >= failures && deliveries.every((delivery) => !delivery.delivered)) {
        open.push({
          kind: 'webhook_failing' as const,
          severity: 'warning' as const,
          title: `Webhook endpoint ${endpoint.url} failed its last ${failures} deliveries`,
          subject: { type: 'webhook_endpoint', id: endpoint.id },
          details: {
            endpointId: endpoint.id,
            url: endpoint.url,
            lastStatusCode: deliveries[0]?.lastStatusCode ?? null,
            lastError: deliveries[0]?.lastError ?? null,
          },
        });
      } else if (deliveries[0] && !deliveries[0].delivered) {
        held.push(endpoint.id);
      }
    }
    return { open, held };
  },
  cleared: () => 'A delivery succeeded',
});
