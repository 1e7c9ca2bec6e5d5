// Incidents, open ones first by default: what a rule saw, how severe, and since when.
import { useState } from 'react';
import { Link } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { PagedList } from '../../components/PagedList';
import { fetchIncidents, type Incident } from '../../hooks/operations';

export const IncidentList = () => {
  const [status, setStatus] = useState<Incident['status'] | ''>('open');
  return (
    <section>
      <h1>Incidents</h1>
      <div className="filters">
        <div className="field">
          <label htmlFor="incident-status">Status</label>
          <select
            id="incident-status"
            value={status}
            onChange={(event) => setStatus(event.target.value as Incident['status'] | '')}
          >
            <option value="">any</option>
            <option>open</option>
            <option>acknowledged</option>
            <option>resolved</option>
          </select>
        </div>
      </div>
      <PagedList<Incident>
        label="Incidents"
        queryKey={['incidents', 'list', status]}
        fetchPage={fetchIncidents({ status: status || undefined })}
        empty="No incident."
        columns={[
          {
            header: 'Incident',
            cell: (incident) => <Link to={`/incidents/${incident.id}`}>{incident.title}</Link>,
          },
          { header: 'Severity', cell: (incident) => <Badge value={incident.severity} /> },
          { header: 'Status', cell: (incident) => <Badge value={incident.status} /> },
          { header: 'Opened', cell: (incident) => when(incident.openedAt) },
        ]}
      />
    </section>
  );
};
