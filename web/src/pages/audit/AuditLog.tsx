// The audit log, newest first: who changed what, from where, with the changes (before → after); filters by action,
// actor and target.
import { type FormEvent, useState } from 'react';
import { when } from '../../components/Badge';
import { TextField } from '../../components/Field';
import { PagedList } from '../../components/PagedList';
import { type AuditEntry, type AuditFilters, fetchAudit } from '../../hooks/access';

const changesOf = (entry: AuditEntry) =>
  entry.changes
    ? Object.entries(entry.changes)
        .map(([field, [before, after]]) => `${field}: ${JSON.stringify(before)} → ${JSON.stringify(after)}`)
        .join('; ')
    : '—';

export const AuditLog = () => {
  const [draft, setDraft] = useState<AuditFilters>({});
  const [filters, setFilters] = useState<AuditFilters>({});
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(draft);
  };
  return (
    <section>
      <h1>Audit log</h1>
      <form className="filters" aria-label="Filter the audit log" onSubmit={apply}>
        <TextField
          label="Action"
          placeholder="license.suspend"
          value={draft.action ?? ''}
          onChange={(event) => setDraft({ ...draft, action: event.target.value })}
        />
        <TextField
          label="Actor id"
          value={draft.actorId ?? ''}
          onChange={(event) => setDraft({ ...draft, actorId: event.target.value })}
        />
        <TextField
          label="Target id"
          value={draft.targetId ?? ''}
          onChange={(event) => setDraft({ ...draft, targetId: event.target.value })}
        />
        <button type="submit">Filter</button>
      </form>
      <PagedList<AuditEntry>
        label="Audit entries"
        queryKey={['audit', filters]}
        fetchPage={fetchAudit(filters)}
        empty="No entry matches."
        columns={[
          { header: 'When', cell: (entry) => when(entry.at) },
          { header: 'Action', cell: (entry) => <code>{entry.action}</code> },
          {
            header: 'Actor',
            cell: (entry) => entry.actor.name ?? `${entry.actor.type} ${entry.actor.id ?? ''}`,
          },
          {
            header: 'Target',
            cell: (entry) => (entry.target ? `${entry.target.type} ${entry.target.id}` : '—'),
          },
          { header: 'Changes', cell: changesOf },
          { header: 'From', cell: (entry) => entry.ip ?? '—' },
        ]}
      />
    </section>
  );
};
