// Machines across every license, newest activation first.
import { Link } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { PagedList } from '../../components/PagedList';
import { fetchMachines, type Machine } from '../../hooks/resources';
import { useSession } from '../../hooks/session';
import { Deactivate } from './Deactivate';

export const MachineList = () => {
  const { can } = useSession();
  return (
    <section>
      <h1>Machines</h1>
      <PagedList<Machine>
        label="Machines"
        queryKey={['machines', 'list']}
        fetchPage={fetchMachines({})}
        columns={[
          { header: 'Fingerprint', cell: (machine) => <code>{machine.fingerprint}</code> },
          {
            header: 'License',
            cell: (machine) => <Link to={`/licenses/${machine.licenseId}`}>{machine.licenseId}</Link>,
          },
          { header: 'Status', cell: (machine) => <Badge value={machine.status} /> },
          { header: 'Activated', cell: (machine) => when(machine.activatedAt) },
          { header: 'Last seen', cell: (machine) => when(machine.lastSeenAt) },
          ...(can('machines:write')
            ? [{ header: 'Deactivate', cell: (machine: Machine) => <Deactivate machine={machine} /> }]
            : []),
        ]}
      />
    </section>
  );
};
