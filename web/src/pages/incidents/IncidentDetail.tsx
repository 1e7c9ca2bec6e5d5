// One incident: its timeline, and acknowledge, resolve and notes for those who hold incidents:write.
import { type FormEvent, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { TextField } from '../../components/Field';
import { useIncident, useIncidentChange } from '../../hooks/operations';
import { useSession } from '../../hooks/session';

export const IncidentDetail = () => {
  const { id = '' } = useParams();
  const { can } = useSession();
  const incident = useIncident(id);
  const change = useIncidentChange(id);
  const [note, setNote] = useState('');
  if (incident.error) return <ErrorBanner error={incident.error} onRetry={() => void incident.refetch()} />;
  if (!incident.data) return <p className="muted">Loading…</p>;
  const item = incident.data;
  const addNote = (event: FormEvent) => {
    event.preventDefault();
    change.mutate({ kind: 'note', message: note }, { onSuccess: () => setNote('') });
  };
  return (
    <section>
      <p>
        <Link to="/incidents">Incidents</Link> /
      </p>
      <h1>
        {item.title} <Badge value={item.status} />
      </h1>
      <dl className="facts">
        <dt>Severity</dt>
        <dd>
          <Badge value={item.severity} />
        </dd>
        <dt>Subject</dt>
        <dd>
          {item.subject.type} <code>{item.subject.id}</code>
        </dd>
        <dt>Opened</dt>
        <dd>{when(item.openedAt)}</dd>
      </dl>
      {can('incidents:write') && item.status !== 'resolved' ? (
        <div className="buttons">
          {item.status === 'open' ? (
            <button
              type="button"
              disabled={change.isPending}
              onClick={() => change.mutate({ kind: 'acknowledge' })}
            >
              Acknowledge
            </button>
          ) : null}
          <button
            type="button"
            disabled={change.isPending}
            onClick={() => change.mutate({ kind: 'resolve' })}
          >
            Resolve
          </button>
        </div>
      ) : null}
      <ErrorBanner error={change.error} />
      <h2>Timeline</h2>
      <ol className="timeline">
        {item.timeline.map((entry) => (
          <li key={`${entry.at}-${entry.type}-${entry.message}`}>
            <span className="muted">{when(entry.at)}</span> <strong>{entry.type.replaceAll('_', ' ')}</strong>{' '}
            {entry.message} <span className="muted">— {entry.actor.name ?? entry.actor.type}</span>
          </li>
        ))}
      </ol>
      {can('incidents:write') ? (
        <form onSubmit={addNote}>
          <TextField
            label="Add a note"
            required
            maxLength={2000}
            value={note}
            onChange={(event) => setNote(event.target.value)}
          />
          <button type="submit" disabled={change.isPending}>
            Add note
          </button>
        </form>
      ) : null}
    </section>
  );
};
