// charter webhooks list|deliveries|retry: the webhook endpoints and what was sent to them, on the configured
// storage, no server needed. `retry` is POST /v1/webhook-deliveries/{id}/retry's own (retryDelivery): one attempt
// sent now from this process, signed, logged and audited, and its outcome printed (exit 1 when refused).
import { eventTypes } from '../events/service.js';
import { deliveryPage, retryDelivery } from '../ops/webhooks/delivery-log.js';
import type { DeliveryDeps } from '../ops/webhooks/outbox.js';
import type { WebhookDelivery } from '../ops/webhooks/schemas.js';
import { webhookEndpointPage } from '../ops/webhooks/service.js';
import { type ActionContext, resourceCommand } from './group.js';
import { all, cliSystemCaller as caller, needId, oneOf } from './input.js';
import { printRecord, printTable } from './output.js';

const deliveryStatuses = ['pending', 'delivered', 'failed'] as const;

const deliveryDeps = ({ deps, config }: ActionContext): DeliveryDeps => ({
  ...deps,
  allowPrivateTargets: config.webhooksAllowPrivate,
  // The outcome is printed; only what changes an endpoint (disabling it) is worth a line of its own.
  log: {
    info: () => {},
    warn: (object, message) => process.stderr.write(`${message} ${JSON.stringify(object)}\n`),
  },
});

const printDelivery = (delivery: WebhookDelivery) => {
  const { attemptLog, ...rest } = delivery;
  printRecord(rest);
  process.stdout.write('\n');
  printTable(attemptLog, ['attempt', 'at', 'statusCode', 'latencyMs', 'error']);
};

export const webhooksCommand = resourceCommand({
  summary: 'list webhook endpoints, their deliveries, or send a delivery again',
  usage: [
    'Usage: charter webhooks list',
    `       charter webhooks deliveries <endpoint id> [--status ${deliveryStatuses.join('|')}] [--event-type <type>]`,
    '       charter webhooks retry <delivery id>   sends it now and prints the outcome (exit 1 when refused)',
  ].join('\n'),
  options: { status: { type: 'string' }, 'event-type': { type: 'string' } },
  actions: {
    list: {
      run: (context) => all((cursor) => webhookEndpointPage(deliveryDeps(context), { limit: 200, cursor })),
      columns: ['id', 'url', 'events', 'enabled', 'disabledReason', 'description'],
    },
    deliveries: {
      run: (context) => {
        const endpointId = needId(context.id, 'webhook endpoint id');
        const status = oneOf(context.values, 'status', deliveryStatuses);
        const eventType = oneOf(context.values, 'event-type', eventTypes);
        return all((cursor) =>
          deliveryPage(deliveryDeps(context), endpointId, { limit: 200, cursor, status, eventType }),
        );
      },
      columns: ['id', 'eventType', 'status', 'attempts', 'lastStatusCode', 'lastError', 'createdAt'],
    },
    retry: {
      run: (context) => retryDelivery(deliveryDeps(context), caller, needId(context.id, 'delivery id')),
      print: printDelivery,
    },
  },
});
