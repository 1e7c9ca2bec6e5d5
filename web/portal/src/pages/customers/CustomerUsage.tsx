// A managed customer's usage (GET /v1/portal/customers/{id}/usage): per license, seats and machines used of their
// limits, and its consumption meter.
import { useParams } from 'react-router';
import { Badge, when } from '../../../../src/components/Badge';
import { ErrorBanner } from '../../../../src/components/ErrorBanner';
import { CustomerHeading } from '../../components/CustomerHeading';
import { useCustomerUsage } from '../../hooks/portal';
import { of } from './CustomerLicenses';

export const CustomerUsage = () => {
  const { customerId = '' } = useParams();
  const usage = useCustomerUsage(customerId);
  const rows = usage.data?.data ?? [];
  return (
    <section>
      <CustomerHeading title="Usage" customerId={customerId} />
      <ErrorBanner error={usage.error} onRetry={() => void usage.refetch()} />
      {usage.isSuccess && rows.length === 0 ? <p className="muted">This customer has no license.</p> : null}
      {rows.length > 0 ? (
        <table aria-label="Usage">
          <thead>
            <tr>
              <th scope="col">License</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
              <th scope="col">Seats</th>
              <th scope="col">Machines</th>
              <th scope="col">Consumption</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((entry) => (
              <tr key={entry.licenseId}>
                <td>
                  <code>{entry.licenseId}</code>
                </td>
                <td>
                  <Badge value={entry.status} />
                </td>
                <td>{entry.expiresAt ? when(entry.expiresAt) : 'never'}</td>
                <td>{of(entry.users.used, entry.users.max)}</td>
                <td>{of(entry.machines.used, entry.machines.max)}</td>
                <td>
                  {entry.consumption
                    ? `${of(entry.consumption.used, entry.consumption.max)} since ${when(entry.consumption.periodStartsAt)}`
                    : '—'}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};
