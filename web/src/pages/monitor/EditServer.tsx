// Edits a monitored server: its name, address, poll interval, and whether it is polled at all.
import { type FormEvent, useState } from 'react';
import { TextField } from '../../components/Field';
import { FormBanner, formErrors } from '../../components/FormErrors';
import { type MonitoredServer, useEditServer } from '../../hooks/monitor';

export const EditServer = ({ server }: { server: MonitoredServer }) => {
  const edit = useEditServer(server.id);
  const [name, setName] = useState(server.name);
  const [address, setAddress] = useState(server.address);
  const [pollSeconds, setPollSeconds] = useState(String(server.pollSeconds));
  const [enabled, setEnabled] = useState(server.enabled);
  const { fields } = formErrors(edit.error);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    edit.mutate({ name, address, pollSeconds: Number(pollSeconds), enabled });
  };
  return (
    <details className="panel">
      <summary>Edit this server</summary>
      <form onSubmit={submit}>
        <TextField
          label="Server name"
          required
          error={fields.name}
          value={name}
          onChange={(event) => setName(event.target.value)}
        />
        <TextField
          label="Server address"
          required
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
        <label className="check">
          <input type="checkbox" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />{' '}
          Polled on schedule
        </label>
        <FormBanner error={edit.error} />
        <button type="submit" disabled={edit.isPending}>
          Save server
        </button>
        {edit.isSuccess ? <p role="status">Saved.</p> : null}
      </form>
    </details>
  );
};
