// The approvals queue: actions waiting for a second operator. Approve and reject are offered only to those who
// hold actions:approve, and never on one's own proposal (the API refuses it with SELF_APPROVAL_FORBIDDEN too);
// a rejection needs a reason, which the proposer reads.
import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PagedList } from '../../components/PagedList';
import { type Action, fetchActions, useDecideAction } from '../../hooks/operations';
import { useSession } from '../../hooks/session';

const statuses = ['pending', 'executed', 'failed', 'rejected', 'expired'] as const;

const target = (action: Action) =>
  Object.entries(action.params)
    .map(([key, value]) => `${key} ${String(value)}`)
    .join(', ');

const Decision = ({ action }: { action: Action }) => {
  const { session, can } = useSession();
  const decide = useDecideAction();
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  if (action.status !== 'pending' || !can('actions:approve')) return null;
  if (action.proposedBy.type === 'operator' && action.proposedBy.id === session?.operator.id)
    return <span className="muted">Your proposal: another operator decides</span>;
  return (
    <div className="decision">
      <button
        type="button"
        disabled={decide.isPending}
        onClick={() => decide.mutate({ id: action.id, decision: 'approve' })}
      >
        Approve
      </button>{' '}
      {rejecting ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            decide.mutate({ id: action.id, decision: 'reject', reason });
          }}
        >
          <label>
            Reason for rejecting
            <input required value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>{' '}
          <button type="submit" className="danger" disabled={decide.isPending}>
            Reject
          </button>
        </form>
      ) : (
        <button type="button" className="danger" onClick={() => setRejecting(true)}>
          Reject…
        </button>
      )}
      <ErrorBanner error={decide.error} />
    </div>
  );
};

export const Approvals = () => {
  const [status, setStatus] = useState<Action['status']>('pending');
  return (
    <section>
      <h1>Approvals</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="approval-status">Status</label>
          <select
            id="approval-status"
            value={status}
            onChange={(event) => setStatus(event.target.value as Action['status'])}
          >
            {statuses.map((value) => (
              <option key={value}>{value}</option>
            ))}
          </select>
        </div>
      </div>
      <PagedList<Action>
        label="Actions"
        queryKey={['actions', 'list', status]}
        fetchPage={fetchActions({ status })}
        empty={status === 'pending' ? 'Nothing waits for approval.' : 'None.'}
        columns={[
          { header: 'Action', cell: (action) => action.kind.replaceAll('_', ' ') },
          {
            header: 'Target',
            cell: (action) =>
              typeof action.params.licenseId === 'string' ? (
                <Link to={`/licenses/${action.params.licenseId}`}>
                  <code>{target(action)}</code>
                </Link>
              ) : (
                <code>{target(action)}</code>
              ),
          },
          { header: 'Reason', cell: (action) => action.reason },
          {
            header: 'Proposed by',
            cell: (action) =>
              `${action.proposedBy.name ?? action.proposedBy.type} · ${when(action.createdAt)}`,
          },
          { header: 'Status', cell: (action) => <Badge value={action.status} /> },
          { header: 'Decision', cell: (action) => <Decision action={action} /> },
        ]}
      />
    </section>
  );
};
