// Deactivates a machine (its seat frees at once), or proposes it where CHARTER_REQUIRE_APPROVAL keeps
// deactivate_machine for a second operator.
import { type FormEvent, useState } from 'react';
import { ApiError } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';
import { type Machine, useDeactivateMachine, useProposeAction } from '../../hooks/resources';

export const Deactivate = ({ machine }: { machine: Machine }) => {
  const deactivate = useDeactivateMachine();
  const propose = useProposeAction();
  const [reason, setReason] = useState('');
  if (machine.status === 'deactivated') return <span className="muted">deactivated</span>;
  const gated =
    deactivate.error instanceof ApiError &&
    deactivate.error.code === 'FORBIDDEN' &&
    typeof deactivate.error.envelope.details?.kind === 'string';
  if (propose.isSuccess) return <span role="status">Proposed</span>;
  if (gated) {
    const submit = (event: FormEvent) => {
      event.preventDefault();
      propose.mutate({ kind: 'deactivate_machine', params: { machineId: machine.id }, reason });
    };
    return (
      <form className="inline-form" onSubmit={submit}>
        <label>
          Reason for the approver
          <input required value={reason} onChange={(event) => setReason(event.target.value)} />
        </label>
        <button type="submit" disabled={propose.isPending}>
          Propose deactivation
        </button>
        <ErrorBanner error={propose.error} />
      </form>
    );
  }
  return (
    <>
      <button
        type="button"
        disabled={deactivate.isPending}
        onClick={() =>
          window.confirm(`Deactivate ${machine.name ?? machine.fingerprint}? Its seat frees at once.`) &&
          deactivate.mutate(machine.id)
        }
      >
        Deactivate
      </button>
      <ErrorBanner error={deactivate.error} />
    </>
  );
};
