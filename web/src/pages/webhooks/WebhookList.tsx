// Webhook endpoints: where events are sent, which ones, and whether the endpoint is on. Those who hold
// webhooks:write add one; its signing secret is answered once and shown with a copy button.
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { SecretOnce } from '../../components/Secret';
import { useSession } from '../../hooks/session';
import { fetchWebhookEndpoints, useCreateWebhookEndpoint, type WebhookEndpoint } from '../../hooks/webhooks';
import { describeEvents, type EventChoice, EventPicker, eventsOf } from './EventPicker';

/** The error of a field or of one of its items (`events.0`). */
const errorOf = (fields: Record<string, string>, name: string) =>
  fields[name] ?? Object.entries(fields).find(([key]) => key.startsWith(`${name}.`))?.[1];

const AddEndpoint = () => {
  const create = useCreateWebhookEndpoint();
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [events, setEvents] = useState<EventChoice>('*');
  const { fields } = formErrors(create.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate(
      {
        url,
        events: eventsOf(events),
        enabled: true,
        ...(description.trim() ? { description: description.trim() } : {}),
      },
      {
        onSuccess: () => {
          setUrl('');
          setDescription('');
          setEvents('*');
        },
      },
    );
  };
  return (
    <details className="panel">
      <summary>Add an endpoint</summary>
      <form onSubmit={submit}>
        <TextField
          label="URL"
          type="url"
          required
          maxLength={2048}
          hint="http or https; addresses inside Charter's network are refused unless the server allows them"
          error={fields.url}
          value={url}
          onChange={(event) => setUrl(event.target.value)}
        />
        <TextField
          label="Description"
          maxLength={500}
          error={fields.description}
          value={description}
          onChange={(event) => setDescription(event.target.value)}
        />
        <EventPicker value={events} onChange={setEvents} error={errorOf(fields, 'events')} />
        <FormBanner error={create.error} />
        <button type="submit" disabled={create.isPending || (events !== '*' && events.length === 0)}>
          Add endpoint
        </button>
      </form>
      {create.data ? (
        <>
          <SecretOnce
            label={`Signing secret of ${create.data.url}`}
            secret={create.data.secret}
            kept="Charter keeps it sealed, to sign each delivery, and never shows it again"
          />
          <p>
            <Link to={`/webhooks/${create.data.id}`}>Open the new endpoint</Link>
          </p>
        </>
      ) : null}
    </details>
  );
};

export const WebhookList = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>Webhooks</h1>
      {can('webhooks:write') ? <AddEndpoint /> : null}
      <PagedList<WebhookEndpoint>
        label="Webhook endpoints"
        queryKey={['webhooks', 'list']}
        fetchPage={fetchWebhookEndpoints}
        empty="No webhook endpoint yet."
        columns={[
          {
            header: 'URL',
            cell: (endpoint) => <Link to={`/webhooks/${endpoint.id}`}>{endpoint.url}</Link>,
          },
          { header: 'Description', cell: (endpoint) => endpoint.description ?? '—' },
          { header: 'Events', cell: (endpoint) => describeEvents(endpoint.events) },
          {
            header: 'State',
            cell: (endpoint) => (
              <>
                <Badge value={endpoint.enabled ? 'enabled' : 'disabled'} />
                {endpoint.disabledReason ? <span className="muted"> {endpoint.disabledReason}</span> : null}
              </>
            ),
          },
          { header: 'Created', cell: (endpoint) => when(endpoint.createdAt) },
        ]}
      />
    </section>
  );
};
