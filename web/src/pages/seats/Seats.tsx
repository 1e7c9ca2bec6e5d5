// Floating seats: Charter's own pools (a license's seats, or one floating feature's) with seats in use and
// today's denials, the seats held now with force-release, and the refused checkouts. Force-release frees a seat at
// once (the holder's next heartbeat learns it lost it); where CHARTER_REQUIRE_APPROVAL keeps release_lease for a
// second operator it becomes a proposal.
import { type FormEvent, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { when } from '../../components/Badge';
import { ConfirmButton } from '../../components/ConfirmButton';
import { TextField } from '../../components/Field';
import { PagedList } from '../../components/PagedList';
import { isApprovalGate, ProposeInstead } from '../../components/Proposal';
import { type Denial, fetchDenials, fetchLiveLeases, type Lease, useForceRelease } from '../../hooks/catalog';
import { type FeatureUsage, fetchFeatures } from '../../hooks/monitor';
import { useSession } from '../../hooks/session';

/** The monitor names a Charter pool `<licenseId>/seats` or `<licenseId>/<feature>`. */
const poolOf = (name: string) => {
  const [licenseId = '', feature = 'seats'] = name.split('/');
  return { licenseId, feature };
};

const Release = ({ lease }: { lease: Lease }) => {
  const release = useForceRelease();
  if (isApprovalGate(release.error))
    return (
      <ProposeInstead
        inline
        proposal={{ kind: 'release_lease', params: { leaseId: lease.id } }}
        label="Propose release"
      />
    );
  return (
    <ConfirmButton
      danger
      mutation={release}
      variables={lease.id}
      question={`Release the seat held by ${lease.fingerprint}? It frees at once.`}
    >
      Release
    </ConfirmButton>
  );
};

export const Seats = () => {
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const licenseId = params.get('licenseId') ?? '';
  const [search, setSearch] = useState(licenseId);
  const filter = licenseId ? { licenseId } : {};
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setParams(search.trim() ? { licenseId: search.trim() } : {});
  };
  return (
    <section>
      <h1>Floating seats</h1>
      {can('monitor:read') ? (
        <>
          <h2>Pools</h2>
          <PagedList<FeatureUsage & { id: string }>
            label="Pools"
            queryKey={['monitor', 'features', 'charter']}
            fetchPage={async (page) => {
              const result = await fetchFeatures('charter')(page);
              return { ...result, data: result.data.map((row) => ({ ...row, id: row.feature })) };
            }}
            empty="No floating pool yet: a floating policy's license or a floating feature makes one."
            columns={[
              {
                header: 'License',
                cell: (row) => (
                  <Link to={`/licenses/${poolOf(row.feature).licenseId}`}>
                    {poolOf(row.feature).licenseId}
                  </Link>
                ),
              },
              { header: 'Pool', cell: (row) => poolOf(row.feature).feature },
              { header: 'In use', cell: (row) => `${row.inUse} / ${row.issued ?? '∞'}` },
              {
                header: 'Utilisation',
                cell: (row) => (row.utilization === null ? '—' : `${Math.round(row.utilization)} %`),
              },
              { header: 'Peak today', cell: (row) => row.peakToday },
              { header: 'Denials today', cell: (row) => row.denialsToday },
              {
                header: 'Holders',
                cell: (row) => (
                  <button
                    type="button"
                    className="link"
                    onClick={() => {
                      const pool = poolOf(row.feature).licenseId;
                      setSearch(pool);
                      setParams({ licenseId: pool });
                    }}
                  >
                    Show holders
                  </button>
                ),
              },
            ]}
          />
        </>
      ) : null}
      <h2>Seats held now</h2>
      <form className="filters" aria-label="Seats of a license" onSubmit={submit}>
        <TextField label="License id" value={search} onChange={(event) => setSearch(event.target.value)} />
        <button type="submit">Show</button>
      </form>
      <PagedList<Lease>
        label="Seats held now"
        queryKey={['leases', 'live', licenseId]}
        fetchPage={fetchLiveLeases(filter)}
        empty="No seat is held."
        columns={[
          {
            header: 'License',
            cell: (lease) => <Link to={`/licenses/${lease.licenseId}`}>{lease.licenseId}</Link>,
          },
          { header: 'Pool', cell: (lease) => lease.feature ?? 'seats' },
          { header: 'Holder', cell: (lease) => <code>{lease.fingerprint}</code> },
          { header: 'Checked out', cell: (lease) => when(lease.checkedOutAt) },
          {
            header: 'Expires',
            cell: (lease) =>
              lease.borrowedUntil ? `borrowed to ${when(lease.borrowedUntil)}` : when(lease.expiresAt),
          },
          ...(can('licenses:write')
            ? [{ header: 'Force release', cell: (lease: Lease) => <Release lease={lease} /> }]
            : []),
        ]}
      />
      <h2>Denials</h2>
      <PagedList<Denial>
        label="Denials"
        queryKey={['leases', 'denials', licenseId]}
        fetchPage={fetchDenials(filter)}
        empty="No checkout was refused."
        columns={[
          { header: 'At', cell: (denial) => when(denial.at) },
          {
            header: 'License',
            cell: (denial) => <Link to={`/licenses/${denial.licenseId}`}>{denial.licenseId}</Link>,
          },
          { header: 'Pool', cell: (denial) => denial.feature ?? 'seats' },
          { header: 'Device', cell: (denial) => <code>{denial.fingerprint}</code> },
          { header: 'In use', cell: (denial) => `${denial.inUse} / ${denial.seats}` },
        ]}
      />
    </section>
  );
};
