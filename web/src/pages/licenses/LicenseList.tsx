// Licenses: find one by its key or a customer's email, filter by product, policy and status, page with cursors.
import { type FormEvent, useState } from 'react';
import { Link } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { Field } from '../../components/Field';
import { PagedList } from '../../components/PagedList';
import { fetchLicenses, type License, type LicenseFilters, useProductChoices } from '../../hooks/resources';
import { useSession } from '../../hooks/session';
import { IssueLicense } from './IssueLicense';

const statuses = ['active', 'suspended', 'revoked', 'expired'] as const;

export const LicenseList = () => {
  const { can } = useSession();
  const products = useProductChoices();
  const [filters, setFilters] = useState<LicenseFilters>({});
  const [search, setSearch] = useState('');
  const applySearch = (event: FormEvent) => {
    event.preventDefault();
    const text = search.trim();
    setFilters((current) => ({
      ...current,
      key: text && !text.includes('@') ? text : undefined,
      customerId: text.includes('@') ? text : undefined,
    }));
  };
  return (
    <section>
      <h1>Licenses</h1>
      {can('licenses:write') ? <IssueLicense /> : null}
      <form className="filters" aria-label="Find licenses" onSubmit={applySearch}>
        <Field label="Key or customer email">
          {(props) => (
            <input
              {...props}
              type="search"
              value={search}
              placeholder="AAAAA-BBBBB-… or ann@example.com"
              onChange={(event) => setSearch(event.target.value)}
            />
          )}
        </Field>
        <button type="submit">Search</button>
        <Field label="Product">
          {(props) => (
            <select
              {...props}
              value={filters.productId ?? ''}
              onChange={(event) => setFilters({ ...filters, productId: event.target.value || undefined })}
            >
              <option value="">Every product</option>
              {products.data?.data.map((product) => (
                <option key={product.id} value={product.id}>
                  {product.name} ({product.code})
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Status">
          {(props) => (
            <select
              {...props}
              value={filters.status ?? ''}
              onChange={(event) =>
                setFilters({ ...filters, status: (event.target.value || undefined) as License['status'] })
              }
            >
              <option value="">Any status</option>
              {statuses.map((status) => (
                <option key={status}>{status}</option>
              ))}
            </select>
          )}
        </Field>
      </form>
      <PagedList<License>
        label="Licenses"
        queryKey={['licenses', 'list', filters]}
        fetchPage={fetchLicenses(filters)}
        empty="No license matches."
        columns={[
          {
            header: 'Key',
            cell: (license) => <Link to={`/licenses/${license.id}`}>{license.keyPrefix}…</Link>,
          },
          { header: 'Status', cell: (license) => <Badge value={license.status} /> },
          { header: 'Product', cell: (license) => license.productId },
          {
            header: 'Machines',
            cell: (license) => `${license.machinesCount} / ${license.maxMachines ?? '∞'}`,
          },
          { header: 'Expires', cell: (license) => when(license.expiresAt) },
        ]}
      />
    </section>
  );
};
