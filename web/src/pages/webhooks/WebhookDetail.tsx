// One webhook endpoint: what it receives and whether it is on, its delivery log a page at a time (status,
// attempts, the last answer, each attempt on demand), and for those who hold webhooks:write: disable or enable,
// send a test event, retry a delivery that failed, delete the endpoint.
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field } from '../../components/Field';
import { PagedList } from '../../components/PagedList';
import { useSession } from '../../hooks/session';
import {
  fetchDeliveriesOf,
  useDeleteWebhookEndpoint,
  useRetryDelivery,
  useTestWebhookEndpoint,
  useUpdateWebhookEndpoint,
  useWebhookEndpoint,
  type WebhookDelivery,
  type WebhookEndpoint,
} from '../../hooks/webhooks';
import { describeEvents } from './EventPicker';

/** The endpoint's answer to an attempt: its status code, or why none came. */
const answerOf = (statusCode: number | null, error: string | null) =>
  statusCode !== null ? String(statusCode) : error ? `no answer: ${error}` : '—';

/** A delivery whose last attempt failed: one that gave up, or one waiting for its next try. */
const failed = (delivery: WebhookDelivery) =>
  delivery.status === 'failed' || (delivery.status === 'pending' && delivery.attempts > 0);

const Retry = ({ delivery }: { delivery: WebhookDelivery }) => {
  const retry = useRetryDelivery();
  if (!failed(delivery)) return null;
  return (
    <>
      <button type="button" disabled={retry.isPending} onClick={() => retry.mutate(delivery.id)}>
        {retry.isPending ? 'Retrying…' : 'Retry'}
      </button>
      <ErrorBanner error={retry.error} />
    </>
  );
};

const Attempts = ({ delivery }: { delivery: WebhookDelivery }) =>
  delivery.attemptLog.length === 0 ? (
    <span className="muted">none yet</span>
  ) : (
    <details>
      <summary>
        {delivery.attempts} of {delivery.maxAttempts}
      </summary>
      <ol className="timeline">
        {delivery.attemptLog.map((attempt) => (
          <li key={attempt.attempt}>
            <span className="muted">{when(attempt.at)}</span> {answerOf(attempt.statusCode, attempt.error)}{' '}
            <span className="muted">in {attempt.latencyMs} ms</span>
            {attempt.responseBody ? <pre>{attempt.responseBody}</pre> : null}
          </li>
        ))}
      </ol>
    </details>
  );

const Deliveries = ({ endpointId, canWrite }: { endpointId: string; canWrite: boolean }) => {
  const [status, setStatus] = useState<WebhookDelivery['status'] | ''>('');
  return (
    <>
      <h2>Delivery log</h2>
      <div className="filters">
        <Field label="Status">
          {(props) => (
            <select
              {...props}
              value={status}
              onChange={(event) => setStatus(event.target.value as WebhookDelivery['status'] | '')}
            >
              <option value="">Every status</option>
              <option value="pending">pending</option>
              <option value="delivered">delivered</option>
              <option value="failed">failed</option>
            </select>
          )}
        </Field>
      </div>
      <PagedList<WebhookDelivery>
        label="Deliveries"
        queryKey={['webhooks', endpointId, 'deliveries', status]}
        fetchPage={fetchDeliveriesOf(endpointId, { status: status || undefined })}
        empty={status ? `No ${status} delivery.` : 'Nothing was sent to this endpoint yet.'}
        columns={[
          { header: 'Event', cell: (delivery) => delivery.eventType },
          { header: 'Created', cell: (delivery) => when(delivery.createdAt) },
          { header: 'Status', cell: (delivery) => <Badge value={delivery.status} /> },
          { header: 'Attempts', cell: (delivery) => <Attempts delivery={delivery} /> },
          {
            header: 'Response',
            cell: (delivery) => answerOf(delivery.lastStatusCode, delivery.lastError),
          },
          {
            header: 'Next or done',
            cell: (delivery) =>
              delivery.deliveredAt
                ? `delivered ${when(delivery.deliveredAt)}`
                : delivery.nextAttemptAt
                  ? `next try ${when(delivery.nextAttemptAt)}`
                  : '—',
          },
          ...(canWrite
            ? [{ header: 'Retry', cell: (delivery: WebhookDelivery) => <Retry delivery={delivery} /> }]
            : []),
        ]}
      />
    </>
  );
};

const Controls = ({ endpoint }: { endpoint: WebhookEndpoint }) => {
  const navigate = useNavigate();
  const update = useUpdateWebhookEndpoint(endpoint.id);
  const remove = useDeleteWebhookEndpoint();
  const test = useTestWebhookEndpoint(endpoint.id);
  return (
    <>
      <div className="buttons">
        {endpoint.enabled ? (
          <button
            type="button"
            disabled={update.isPending}
            onClick={() =>
              window.confirm(`Disable ${endpoint.url}? No event is sent to it until it is enabled again.`) &&
              update.mutate({ enabled: false })
            }
          >
            Disable
          </button>
        ) : (
          <button type="button" disabled={update.isPending} onClick={() => update.mutate({ enabled: true })}>
            Enable
          </button>
        )}
        <button type="button" disabled={test.isPending} onClick={() => test.mutate()}>
          {test.isPending ? 'Sending…' : 'Send a test event'}
        </button>
        <button
          type="button"
          className="danger"
          disabled={remove.isPending}
          onClick={() =>
            window.confirm(`Delete ${endpoint.url}? Its delivery log goes with it.`) &&
            remove.mutate(endpoint.id, { onSuccess: () => navigate('/webhooks') })
          }
        >
          Delete
        </button>
      </div>
      <ErrorBanner error={update.error ?? remove.error ?? test.error} />
      {test.data ? (
        <p role="status" className="notice">
          Test event <code>{test.data.eventId}</code> {test.data.delivered ? 'delivered' : 'not delivered'}:{' '}
          {answerOf(test.data.statusCode, test.data.error)} in {test.data.latencyMs} ms.
        </p>
      ) : null}
    </>
  );
};

export const WebhookDetail = () => {
  const { id = '' } = useParams();
  const { can } = useSession();
  const endpoint = useWebhookEndpoint(id);
  if (endpoint.error) return <ErrorBanner error={endpoint.error} onRetry={() => void endpoint.refetch()} />;
  if (!endpoint.data) return <p className="muted">Loading…</p>;
  const item = endpoint.data;
  return (
    <section>
      <p>
        <Link to="/webhooks">Webhooks</Link> /
      </p>
      <h1>
        Endpoint {item.url} <Badge value={item.enabled ? 'enabled' : 'disabled'} />
      </h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{item.id}</code>
        </dd>
        <dt>Description</dt>
        <dd>{item.description ?? '—'}</dd>
        <dt>Events</dt>
        <dd>{describeEvents(item.events)}</dd>
        {item.disabledReason ? (
          <>
            <dt>Disabled because</dt>
            <dd>{item.disabledReason}</dd>
          </>
        ) : null}
        <dt>Created</dt>
        <dd>{when(item.createdAt)}</dd>
        <dt>Changed</dt>
        <dd>{when(item.updatedAt)}</dd>
      </dl>
      {can('webhooks:write') ? <Controls endpoint={item} /> : null}
      <Deliveries endpointId={id} canWrite={can('webhooks:write')} />
    </section>
  );
};
