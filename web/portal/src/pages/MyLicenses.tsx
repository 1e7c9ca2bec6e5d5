// The licenses the signed-in user holds a seat of (GET /v1/portal/licenses): no keys, they sign in instead.
import { Badge, when } from '../../../src/components/Badge';
import { ErrorBanner } from '../../../src/components/ErrorBanner';
import { useMyLicenses } from '../hooks/portal';

export const MyLicenses = () => {
  const licenses = useMyLicenses();
  const rows = licenses.data?.data ?? [];
  return (
    <section>
      <h1>My licenses</h1>
      <ErrorBanner error={licenses.error} onRetry={() => void licenses.refetch()} />
      {licenses.isSuccess && rows.length === 0 ? (
        <p className="muted">You hold no license seat yet: your license manager assigns them.</p>
      ) : null}
      {rows.length > 0 ? (
        <table aria-label="My licenses">
          <thead>
            <tr>
              <th scope="col">Product</th>
              <th scope="col">License</th>
              <th scope="col">Status</th>
              <th scope="col">Expires</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ productCode, license }) => (
              <tr key={license.id}>
                <td>
                  <code>{productCode}</code>
                </td>
                <td>
                  <code>{license.id}</code>
                </td>
                <td>
                  <Badge value={license.status} />
                </td>
                <td>{license.expiresAt ? when(license.expiresAt) : 'never'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </section>
  );
};
