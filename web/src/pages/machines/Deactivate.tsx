// Deactivates a machine (its seat frees at once), or proposes it where CHARTER_REQUIRE_APPROVAL keeps
// deactivate_machine for a second operator.

import { ConfirmButton } from '../../components/ConfirmButton';
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
    <ConfirmButton
      mutation={deactivate}
      variables={machine.id}
      question={`Deactivate ${machine.name ?? machine.fingerprint}? Its seat frees at once.`}
    >
      Deactivate
    </ConfirmButton>
  );
};
