// Monitored license servers: status and last poll of each, and a form to add one.
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { Field, TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { PagedList } from '../../components/PagedList';
import { fetchServers, type MonitoredServer, useAddServer } from '../../hooks/monitor';
import { useSession } from '../../hooks/session';

const AddServer = () => {
  const add = useAddServer();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<MonitoredServer['kind']>('flexlm');
  const [address, setAddress] = useState('');
  const [pollSeconds, setPollSeconds] = useState('300');
  const { fields } = formErrors(add.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    add.mutate({ name, kind, address, pollSeconds: Number(pollSeconds), timeoutSeconds: 30, enabled: true });
  };
  return (
    <details className="panel">
      <summary>Add a server</summary>
      <form onSubmit={submit}>
        <TextField
          label="Name"
          required
          error={fields.name}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <Field label="Kind" error={fields.kind}>
          {(props) => (
            <select
              {...props}
              value={kind}
              onChange={(event) => setKind(event.target.value as MonitoredServer['kind'])}
            >
              <option value="flexlm">FlexLM (lmstat)</option>
              <option value="rlm">RLM (rlmstat)</option>
            </select>
          )}
        </Field>
        <TextField
          label="Address"
          required
          hint="port@host, e.g. 27000@lic1.example.com"
          error={fields.address}
          value={address}
          onChange={(event) => setAddress(event.target.value)}
        />
        <TextField
          label="Poll every (seconds)"
          type="number"
          min={30}
          error={fields.pollSeconds}
          value={pollSeconds}
          onChange={(event) => setPollSeconds(event.target.value)}
        />
        <FormBanner error={add.error} />
        <button type="submit" disabled={add.isPending}>
          Add server
        </button>
      </form>
    </details>
  );
};

export const ServerList = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>License servers</h1>
      {can('monitor:write') ? <AddServer /> : null}
      <PagedList<MonitoredServer>
        label="License servers"
        queryKey={['monitor', 'servers', 'list']}
        fetchPage={fetchServers}
        empty="No server is monitored yet."
        columns={[
          { header: 'Name', cell: (server) => <Link to={`/monitor/${server.id}`}>{server.name}</Link> },
          { header: 'Kind', cell: (server) => server.kind },
          { header: 'Address', cell: (server) => <code>{server.address}</code> },
          { header: 'Status', cell: (server) => <Badge value={server.status} /> },
          { header: 'Last poll', cell: (server) => when(server.lastPollAt) },
        ]}
      />
    </section>
  );
};
