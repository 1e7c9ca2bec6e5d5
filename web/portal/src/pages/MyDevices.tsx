// The devices the signed-in user activated (GET /v1/portal/machines), each deactivatable by them (DELETE
// /v1/portal/machines/{id}) to free its seat for another device.
import { ErrorBanner } from '../../../src/components/ErrorBanner';
import { MachineTable } from '../components/MachineTable';
import { useDeactivateMyDevice, useMyDevices } from '../hooks/portal';

export const MyDevices = () => {
  const devices = useMyDevices();
  const deactivate = useDeactivateMyDevice();
  const rows = devices.data?.data ?? [];
  return (
    <section>
      <h1>My devices</h1>
      <ErrorBanner error={devices.error} onRetry={() => void devices.refetch()} />
      {devices.isSuccess && rows.length === 0 ? (
        <p className="muted">No device of yours is activated.</p>
      ) : null}
      {rows.length > 0 ? <MachineTable label="My devices" machines={rows} deactivate={deactivate} /> : null}
    </section>
  );
};
