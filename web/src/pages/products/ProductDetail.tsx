// One product: its facts, its features and its policies.
import { Link, useParams } from 'react-router';
import { Badge } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PagedList } from '../../components/PagedList';
import { fetchPolicies, type Policy, useProduct } from '../../hooks/resources';
import { Features } from './Features';

export const ProductDetail = () => {
  const { id = '' } = useParams();
  const product = useProduct(id);
  if (product.error) return <ErrorBanner error={product.error} onRetry={() => void product.refetch()} />;
  if (!product.data) return <p className="muted">Loading…</p>;
  const item = product.data;
  return (
    <section>
      <p>
        <Link to="/products">Products</Link> /
      </p>
      <h1>
        {item.name} <Badge value={item.status} />
      </h1>
      <dl className="facts">
        <dt>Code</dt>
        <dd>
          <code>{item.code}</code>
        </dd>
        <dt>License model</dt>
        <dd>{item.licenseModel}</dd>
        <dt>Trials</dt>
        <dd>{item.trial.enabled ? `${item.trial.days} days` : 'off'}</dd>
      </dl>
      <Features productId={id} />
      <h2>Policies</h2>
      <PagedList<Policy>
        label="Policies of this product"
        queryKey={['policies', 'of', id]}
        fetchPage={fetchPolicies({ productId: id })}
        columns={[
          { header: 'Name', cell: (policy) => policy.name },
          { header: 'Code', cell: (policy) => <code>{policy.code}</code> },
          { header: 'Machines', cell: (policy) => policy.maxMachines ?? 'unlimited' },
        ]}
      />
    </section>
  );
};
