// One license: what it grants, its machines, and the state actions its status allows. Where the server demands a
// second operator for an action (CHARTER_REQUIRE_APPROVAL answers 403 FORBIDDEN naming the action's kind), the
// page offers to propose it instead, with a reason for the approver.
import { Link, useParams } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { CopyButton } from '../../components/CopyButton';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PagedList } from '../../components/PagedList';
import { fetchMachines, type Machine, useLicense } from '../../hooks/resources';
import { useSession } from '../../hooks/session';
import { Deactivate } from '../machines/Deactivate';
import { LicenseActions } from './LicenseActions';
import { LicenseParts } from './LicenseParts';

export const LicenseDetail = () => {
  const { id = '' } = useParams();
  const { can } = useSession();
  const license = useLicense(id);
  if (license.error) return <ErrorBanner error={license.error} onRetry={() => void license.refetch()} />;
  if (!license.data) return <p className="muted">Loading…</p>;
  const item = license.data;
  return (
    <section>
      <p>
        <Link to="/licenses">Licenses</Link> /
      </p>
      <h1>
        License {item.keyPrefix}… <Badge value={item.status} />
      </h1>
      <dl className="facts">
        <dt>Key</dt>
        <dd>
          {item.key ? (
            <>
              <code>{item.key}</code> <CopyButton text={item.key} label="Copy key" />
            </>
          ) : (
            `${item.keyPrefix}…`
          )}
        </dd>
        <dt>Product</dt>
        <dd>
          <Link to={`/products/${item.productId}`}>{item.productId}</Link>
        </dd>
        <dt>Policy</dt>
        <dd>{item.policyId}</dd>
        <dt>Customer</dt>
        <dd>{item.customerId ?? '—'}</dd>
        <dt>Starts</dt>
        <dd>{when(item.startsAt)}</dd>
        <dt>Expires</dt>
        <dd>{when(item.expiresAt)}</dd>
        <dt>Machines</dt>
        <dd>
          {item.machinesCount} of {item.maxMachines ?? 'unlimited'}
        </dd>
        <dt>Features</dt>
        <dd>{item.features.map((feature) => feature.code).join(', ') || '—'}</dd>
      </dl>
      {can('licenses:write') ? <LicenseActions license={item} /> : null}
      <h2>Machines</h2>
      <PagedList<Machine>
        label="Machines of this license"
        queryKey={['machines', 'of', id]}
        fetchPage={fetchMachines({ licenseId: id })}
        empty="No machine has activated this license."
        columns={[
          { header: 'Fingerprint', cell: (machine) => <code>{machine.fingerprint}</code> },
          { header: 'Name', cell: (machine) => machine.name ?? machine.hostname ?? '—' },
          { header: 'Status', cell: (machine) => <Badge value={machine.status} /> },
          { header: 'Last seen', cell: (machine) => when(machine.lastSeenAt) },
          ...(can('machines:write')
            ? [{ header: 'Deactivate', cell: (machine: Machine) => <Deactivate machine={machine} /> }]
            : []),
        ]}
      />
      <LicenseParts license={item} />
    </section>
  );
};
