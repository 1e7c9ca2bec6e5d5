// The overview: licenses by status, today's validations and activations, seats in use now and at the peak, and
// what waits for someone (open incidents, pending approvals, license servers down), each a link to its list.
// Counts of waiting things come from the first page of their list (100 at most, "100+" beyond), so the page never
// reads a whole table.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';
import { useSession } from '../../hooks/session';

const startOfDay = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
};

const upTo100 = (page: { data: unknown[]; nextCursor: string | null } | undefined) =>
  page ? `${page.data.length}${page.nextCursor ? '+' : ''}` : '…';

const Tile = ({ to, figure, label }: { to?: string; figure: string | number | undefined; label: string }) => {
  const body = (
    <>
      <span className="tile-figure">{figure ?? '…'}</span> {label}
    </>
  );
  return <li>{to ? <Link to={to}>{body}</Link> : body}</li>;
};

export const Overview = () => {
  const { can } = useSession();
  const counts = useQuery({
    queryKey: ['licenses', 'counts'],
    queryFn: () => unwrap(api.GET('/v1/licenses/counts')),
  });
  const usage = useQuery({
    queryKey: ['usage', 'today'],
    queryFn: () => unwrap(api.GET('/v1/usage', { params: { query: { bucket: 'day', from: startOfDay() } } })),
  });
  const incidents = useQuery({
    queryKey: ['incidents', 'open', 'count'],
    enabled: can('incidents:read'),
    queryFn: () => unwrap(api.GET('/v1/incidents', { params: { query: { status: 'open', limit: 100 } } })),
  });
  const approvals = useQuery({
    queryKey: ['actions', 'pending', 'count'],
    enabled: can('actions:read'),
    queryFn: () => unwrap(api.GET('/v1/actions', { params: { query: { status: 'pending', limit: 100 } } })),
  });
  const down = useQuery({
    queryKey: ['monitor', 'servers', 'down', 'count'],
    enabled: can('monitor:read'),
    queryFn: () =>
      unwrap(api.GET('/v1/monitor/servers', { params: { query: { status: 'down', limit: 100 } } })),
  });
  const today = usage.data?.data.at(-1);
  return (
    <section>
      <h1>Overview</h1>
      {[counts, usage, incidents, approvals, down].map((query, index) =>
        query.error ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the queries are a fixed list
          <ErrorBanner key={index} error={query.error} onRetry={() => void query.refetch()} />
        ) : null,
      )}
      <h2>Licenses</h2>
      <ul className="tiles">
        <Tile to="/licenses?status=active" figure={counts.data?.active} label="active" />
        <Tile to="/licenses?status=suspended" figure={counts.data?.suspended} label="suspended" />
        <Tile to="/licenses?status=expired" figure={counts.data?.expired} label="expired" />
        <Tile to="/licenses?status=revoked" figure={counts.data?.revoked} label="revoked" />
      </ul>
      <h2>Today</h2>
      <ul className="tiles">
        <Tile to="/usage" figure={today?.validations} label="validations" />
        <Tile to="/machines" figure={today?.activations} label="activations" />
        <Tile to="/seats" figure={usage.data?.seatsInUse} label="seats in use now" />
        <Tile to="/seats" figure={today?.peakSeats} label="seats in use at the peak" />
        <Tile to="/seats" figure={today?.denials} label="seat denials" />
      </ul>
      <h2>Waiting for someone</h2>
      <ul className="tiles">
        {can('incidents:read') ? (
          <Tile to="/incidents" figure={upTo100(incidents.data)} label="open incidents" />
        ) : null}
        {can('actions:read') ? (
          <Tile to="/approvals" figure={upTo100(approvals.data)} label="pending approvals" />
        ) : null}
        {can('monitor:read') ? (
          <Tile to="/monitor" figure={upTo100(down.data)} label="license servers down" />
        ) : null}
      </ul>
    </section>
  );
};
