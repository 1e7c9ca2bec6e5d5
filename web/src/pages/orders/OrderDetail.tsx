// One order: what was sold, to whom, and every license it issued (each a link to its page).
import { Link, useParams } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useOrder } from '../../hooks/catalog';

export const OrderDetail = () => {
  const { id = '' } = useParams();
  const order = useOrder(id);
  if (order.error) return <ErrorBanner error={order.error} onRetry={() => void order.refetch()} />;
  if (!order.data) return <p className="muted">Loading…</p>;
  const { externalId, customerId, createdAt, items, licenses, metadata } = order.data;
  return (
    <section>
      <p>
        <Link to="/orders">Orders</Link>
      </p>
      <h1>Order {externalId}</h1>
      <dl className="facts">
        <dt>Id</dt>
        <dd>
          <code>{id}</code>
        </dd>
        <dt>Customer</dt>
        <dd>
          <Link to={`/licenses?customerId=${customerId}`}>{customerId}</Link>
        </dd>
        <dt>Placed</dt>
        <dd>{when(createdAt)}</dd>
        {Object.keys(metadata).length > 0 ? (
          <>
            <dt>Metadata</dt>
            <dd>
              <code>{JSON.stringify(metadata)}</code>
            </dd>
          </>
        ) : null}
      </dl>
      <h2>Items</h2>
      <table aria-label="Items">
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Policy</th>
            <th scope="col">Quantity</th>
            <th scope="col">Users</th>
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={`${item.productCode}/${item.policyCode}`}>
              <td>{item.productCode}</td>
              <td>{item.policyCode}</td>
              <td>{item.quantity}</td>
              <td>{item.users?.join(', ') ?? '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Licenses ({licenses.length})</h2>
      <table aria-label="Licenses of the order">
        <thead>
          <tr>
            <th scope="col">Key</th>
            <th scope="col">Status</th>
            <th scope="col">Product</th>
            <th scope="col">Expires</th>
          </tr>
        </thead>
        <tbody>
          {licenses.map((license) => (
            <tr key={license.id}>
              <td>
                <Link to={`/licenses/${license.id}`}>{license.keyPrefix}…</Link>
              </td>
              <td>
                <Badge value={license.status} />
              </td>
              <td>{license.productId}</td>
              <td>{when(license.expiresAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
};
