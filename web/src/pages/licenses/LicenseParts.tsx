// The parts of a license below its facts: metered consumption, seat leases, assigned users and its audit trail.
import { Badge, when } from '../../components/Badge';
import { PagedList } from '../../components/PagedList';
import { fetchAuditOf, fetchLeasesOf, fetchUsersOf } from '../../hooks/license-parts';
import type { License } from '../../hooks/resources';
import { useSession } from '../../hooks/session';

export const LicenseParts = ({ license }: { license: License }) => {
  const { can } = useSession();
  return (
    <>
      {license.consumption ? (
        <>
          <h2>Consumption</h2>
          <p>
            {license.consumption.used} of {license.consumption.max} used since{' '}
            {when(license.consumption.periodStartsAt)}
          </p>
        </>
      ) : null}
      <h2>Seat leases</h2>
      <PagedList
        label="Seat leases of this license"
        queryKey={['leases', 'of', license.id]}
        fetchPage={fetchLeasesOf(license.id)}
        empty="No seat has been checked out."
        columns={[
          { header: 'Fingerprint', cell: (lease) => <code>{lease.fingerprint}</code> },
          { header: 'Feature', cell: (lease) => lease.feature ?? 'license seat' },
          { header: 'Status', cell: (lease) => <Badge value={lease.status} /> },
          { header: 'Checked out', cell: (lease) => when(lease.checkedOutAt) },
          { header: 'Expires', cell: (lease) => when(lease.borrowedUntil ?? lease.expiresAt) },
        ]}
      />
      <h2>Users</h2>
      <PagedList
        label="Users of this license"
        queryKey={['users', 'of', license.id]}
        fetchPage={fetchUsersOf(license.id)}
        empty="No user is assigned."
        columns={[
          { header: 'Email', cell: (user) => user.email },
          { header: 'Name', cell: (user) => user.name || '—' },
        ]}
      />
      {can('audit:read') ? (
        <>
          <h2>Audit trail</h2>
          <PagedList
            label="Audit trail of this license"
            queryKey={['audit', 'of', license.id]}
            fetchPage={fetchAuditOf(license.id)}
            columns={[
              { header: 'When', cell: (entry) => when(entry.at) },
              { header: 'Action', cell: (entry) => <code>{entry.action}</code> },
              { header: 'By', cell: (entry) => entry.actor.name ?? entry.actor.type },
            ]}
          />
        </>
      ) : null}
    </>
  );
};
