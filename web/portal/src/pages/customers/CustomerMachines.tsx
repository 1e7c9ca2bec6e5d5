// The active machines of a managed customer's licenses (GET /v1/portal/customers/{id}/machines), each
// deactivatable by the manager (DELETE …/machines/{machineId}).
import { useParams } from 'react-router';
import { ErrorBanner } from '../../../../src/components/ErrorBanner';
import { CustomerHeading } from '../../components/CustomerHeading';
import { MachineTable } from '../../components/MachineTable';
import { useCustomerMachines, useDeactivateCustomerMachine } from '../../hooks/portal';

export const CustomerMachines = () => {
  const { customerId = '' } = useParams();
  const machines = useCustomerMachines(customerId);
  const deactivate = useDeactivateCustomerMachine(customerId);
  const rows = machines.data?.data ?? [];
  return (
    <section>
      <CustomerHeading title="Machines" customerId={customerId} />
      <ErrorBanner error={machines.error} onRetry={() => void machines.refetch()} />
      {machines.isSuccess && rows.length === 0 ? (
        <p className="muted">No machine of this customer is activated.</p>
      ) : null}
      {rows.length > 0 ? <MachineTable label="Machines" machines={rows} deactivate={deactivate} /> : null}
    </section>
  );
};
