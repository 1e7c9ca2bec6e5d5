// Licenses: find one by its key, its key's first group or a customer's email, filter by product, policy and status,
// page with cursors. The filters live in the address (?status=suspended), so a filtered list can be bookmarked and the
// overview links into it.
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { Field } from '../../components/Field';
import { PagedList } from '../../components/PagedList';
import { ProductSelect } from '../../components/ProductSelect';
import { fetchLicenses, type License, type LicenseFilters, usePolicyChoices } from '../../hooks/resources';
import { useSession } from '../../hooks/session';
import { IssueLicense } from './IssueLicense';

const statuses = ['active', 'suspended', 'revoked', 'expired'] as const;

export const LicenseList = () => {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const filters: LicenseFilters = Object.fromEntries(
    (['status', 'productId', 'policyId', 'customerId', 'key', 'keyPrefix'] as const)
      .map((name) => [name, params.get(name) ?? undefined] as const)
      .filter(([, value]) => value),
  );
  const setFilters = (next: LicenseFilters) =>
    setParams(
      Object.fromEntries(Object.entries(next).filter(([, value]) => value)) as Record<string, string>,
    );
  const policies = usePolicyChoices(filters.productId);
  const [search, setSearch] = useState(filters.key ?? filters.keyPrefix ?? filters.customerId ?? '');
  const applySearch = (event: FormEvent) => {
    event.preventDefault();
    const text = search.trim();
    // An email names a customer; a key has several groups (AAAAA-BBBBB-…); one group is a key's prefix.
    setFilters({
      ...filters,
      customerId: text.includes('@') ? text : undefined,
      key: !text.includes('@') && text.includes('-') ? text : undefined,
      keyPrefix: text && !text.includes('@') && !text.includes('-') ? text : undefined,
    });
  };
  return (
    <section>
      <h1>Licenses</h1>
      {can('licenses:write') ? <IssueLicense /> : null}
      <form className="filters" aria-label="Find licenses" onSubmit={applySearch}>
        <Field label="Key, key prefix or customer email">
          {(props) => (
            <input
              {...props}
              type="search"
              value={search}
              placeholder="AAAAA-BBBBB-…, AAAAA or ann@example.com"
              onChange={(event) => setSearch(event.target.value)}
            />
          )}
        </Field>
        <button type="submit">Search</button>
        <ProductSelect
          none="Every product"
          value={filters.productId ?? ''}
          onChange={(productId) =>
            // A policy belongs to a product: another product drops the policy filter.
            setFilters({ ...filters, productId: productId || undefined, policyId: undefined })
          }
        />
        <Field label="Policy">
          {(props) => (
            <select
              {...props}
              value={filters.policyId ?? ''}
              onChange={(event) => setFilters({ ...filters, policyId: event.target.value || undefined })}
            >
              <option value="">Every policy</option>
              {policies.data?.data.map((policy) => (
                <option key={policy.id} value={policy.id}>
                  {policy.name} ({policy.code})
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
