// Deactivates a machine (its seat frees at once), or proposes it where CHARTER_REQUIRE_APPROVAL keeps
// deactivate_machine for a second operator.
import { ErrorBanner } from '../../components/ErrorBanner';
import { isApprovalGate, ProposeInstead } from '../../components/Proposal';
import { type Machine, useDeactivateMachine } from '../../hooks/resources';

export const Deactivate = ({ machine }: { machine: Machine }) => {
  const deactivate = useDeactivateMachine();
  if (machine.status === 'deactivated') return <span className="muted">deactivated</span>;
  if (isApprovalGate(deactivate.error))
    return (
      <ProposeInstead
        inline
        proposal={{ kind: 'deactivate_machine', params: { machineId: machine.id } }}
        label="Propose deactivation"
      />
    );
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
