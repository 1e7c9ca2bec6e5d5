// A managed customer's licenses (GET /v1/portal/customers/{id}/licenses, with their keys: the customer bought them)
// and, from its usage, the seats and machines each uses of its limits; each links to its seat assignment page.
import { Link, useParams } from 'react-router';
import { Badge, when } from '../../../../src/components/Badge';
import { ErrorBanner } from '../../../../src/components/ErrorBanner';
import { CustomerHeading } from '../../components/CustomerHeading';
import { useCustomerLicenses, useCustomerUsage } from '../../hooks/portal';

export const of = (used: number, max: number | null) => (max === null ? `${used}` : `${used} of ${max}`);

export const CustomerLicenses = () => {
  const { customerId = '' } = useParams();
  const licenses = useCustomerLicenses(customerId);
  const usage = useCustomerUsage(customerId);
  const usageOf = new Map((usage.data?.data ?? []).map((entry) => [entry.licenseId, entry]));
  const rows = licenses.data?.data ?? [];
  return (
    <section>
      <CustomerHeading title="Licenses and seats" customerId={customerId} />
      <ErrorBanner error={licenses.error} onRetry={() => void licenses.refetch()} />
      {licenses.isSuccess && rows.length === 0 ? (
        <p className="muted">This customer has no license.</p>
      ) : null}
      {rows.length > 0 ? (
        <table aria-label="Licenses">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Seats used</th>
              <th scope="col">Machines used</th>
              <th scope="col">Seats</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((license) => {
              const used = usageOf.get(license.id);
              return (
                <tr key={license.id}>
                  <td>
                    <code>{license.key ?? `${license.keyPrefix}…`}</code>
                  </td>
                  <td>
                    <Badge value={license.status} />
                  </td>
                  <td>{license.expiresAt ? when(license.expiresAt) : 'never'}</td>
                  <td>{used ? of(used.users.used, used.users.max) : '…'}</td>
                  <td>{of(license.machinesCount, license.maxMachines)}</td>
                  <td>
                    <Link to={`/customers/${customerId}/licenses/${license.id}`}>
                      Assign seats of {license.keyPrefix}
                    </Link>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};
