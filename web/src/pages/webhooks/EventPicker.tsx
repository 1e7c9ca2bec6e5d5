// The events an endpoint receives: every one (["*"], which takes in types added later) or the ones ticked.
import type { WebhookEventType } from '../../hooks/webhooks';

/**
 * The event types an endpoint may name, in the API's order. A Record, so the build fails when the API adds or
 * renames one. webhook.test is left out: it is sent only by "Send a test event", to any endpoint, subscribed or not.
 */
const eventTypeSet: Record<Exclude<WebhookEventType, 'webhook.test'>, true> = {
  'license.created': true,
  'license.updated': true,
  'license.suspended': true,
  'license.reinstated': true,
  'license.revoked': true,
  'license.renewed': true,
  'license.expired': true,
  'license.expiring_soon': true,
  'license.transferred': true,
  'license.deleted': true,
  'license.machine_limit_reached': true,
  'machine.activated': true,
  'machine.deactivated': true,
  'machine.heartbeat_dead': true,
  'lease.checked_out': true,
  'lease.released': true,
  'lease.expired': true,
  'lease.denied': true,
  'consumption.limit_reached': true,
  'order.created': true,
  'customer.created': true,
  'customer.updated': true,
  'monitor.server_down': true,
  'monitor.server_up': true,
  'monitor.feature_saturated': true,
  'incident.opened': true,
  'incident.acknowledged': true,
  'incident.resolved': true,
  'action.proposed': true,
  'action.approved': true,
  'action.rejected': true,
  'action.executed': true,
  'action.failed': true,
};
const eventTypes = Object.keys(eventTypeSet) as WebhookEventType[];

export type EventChoice = WebhookEventType[] | '*';

/** What the API is sent for a choice. */
export const eventsOf = (choice: EventChoice): ('*' | WebhookEventType)[] =>
  choice === '*' ? ['*'] : choice;

/** How an endpoint's events read in a table or a page. */
export const describeEvents = (events: string[]) =>
  events.includes('*') ? 'every event' : events.join(', ');

export const EventPicker = ({
  value,
  onChange,
  error,
}: {
  value: EventChoice;
  onChange: (choice: EventChoice) => void;
  error?: string | undefined;
}) => (
  <fieldset aria-describedby={error ? 'webhook-events-error' : undefined}>
    <legend>Events</legend>
    {error ? (
      <p id="webhook-events-error" className="field-error">
        {error}
      </p>
    ) : null}
    <label className="check">
      <input
        type="checkbox"
        checked={value === '*'}
        onChange={(event) => onChange(event.target.checked ? '*' : [])}
      />{' '}
      Every event, including types added later
    </label>
    {value === '*' ? null : (
      <div className="checks">
        {eventTypes.map((type) => (
          <label key={type}>
            <input
              type="checkbox"
              checked={value.includes(type)}
              onChange={(event) =>
                onChange(event.target.checked ? [...value, type] : value.filter((item) => item !== type))
              }
            />{' '}
            {type}
          </label>
        ))}
      </div>
    )}
  </fieldset>
);
