// One license server: status, poll now, its features with utilisation, a usage chart over time, who holds what
// now, and its poll history, where a failed poll shows the utility's raw output.
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { Badge, when } from '../../components/Badge';
import { ErrorBanner } from '../../components/ErrorBanner';
import { PagedList } from '../../components/PagedList';
import { TimeChart } from '../../components/TimeChart';
import {
  type FeatureUsage,
  fetchDenials,
  fetchFeatures,
  fetchPolls,
  fetchSessions,
  type PollSummary,
  usePoll,
  usePollNow,
  useServer,
  useServerUsage,
} from '../../hooks/monitor';
import { useSession } from '../../hooks/session';
import { EditServer } from './EditServer';

const UsageChart = ({ serverId, feature }: { serverId: string; feature: string | undefined }) => {
  const usage = useServerUsage(serverId, feature);
  const chart = useMemo(() => {
    const points = usage.data?.data ?? [];
    return {
      times: points.map((point) => Math.floor(Date.parse(point.at) / 1000)),
      series: [
        { label: 'in use (max)', values: points.map((point) => point.inUseMax), colour: '#1d4ed8' },
        { label: 'issued', values: points.map((point) => point.issued), colour: '#8a4b00' },
      ],
    };
  }, [usage.data]);
  if (usage.error) return <ErrorBanner error={usage.error} onRetry={() => void usage.refetch()} />;
  return (
    <TimeChart
      title={`Seats in use${feature ? ` of ${feature}` : ''}, last day`}
      times={chart.times}
      series={chart.series}
    />
  );
};

const PollOutput = ({ id }: { id: string }) => {
  const poll = usePoll(id);
  if (poll.error) return <ErrorBanner error={poll.error} />;
  if (!poll.data) return <p className="muted">Loading…</p>;
  return (
    <div className="panel">
      <p>
        <strong>{poll.data.errorCode ?? poll.data.outcome}</strong> {poll.data.errorMessage}
      </p>
      <h3>Raw output of the poll</h3>
      <pre>{poll.data.rawOutput ?? '(no output kept)'}</pre>
    </div>
  );
};

export const ServerDetail = () => {
  const { id = '' } = useParams();
  const { can } = useSession();
  const server = useServer(id);
  const pollNow = usePollNow(id);
  const [feature, setFeature] = useState<string | undefined>(undefined);
  const [openPoll, setOpenPoll] = useState<string | null>(null);
  if (server.error) return <ErrorBanner error={server.error} onRetry={() => void server.refetch()} />;
  if (!server.data) return <p className="muted">Loading…</p>;
  const item = server.data;
  return (
    <section>
      <p>
        <Link to="/monitor">License servers</Link> /
      </p>
      <h1>
        {item.name} <Badge value={item.status} />
      </h1>
      <dl className="facts">
        <dt>Address</dt>
        <dd>
          <code>{item.address}</code> ({item.kind})
        </dd>
        <dt>Last poll</dt>
        <dd>{when(item.lastPollAt)}</dd>
        <dt>Last error</dt>
        <dd>{item.lastError ? `${item.lastError.code}: ${item.lastError.message}` : '—'}</dd>
      </dl>
      {can('monitor:write') ? (
        <div className="buttons">
          <button type="button" disabled={pollNow.isPending} onClick={() => pollNow.mutate()}>
            {pollNow.isPending ? 'Polling…' : 'Poll now'}
          </button>
        </div>
      ) : null}
      <ErrorBanner error={pollNow.error} />
      {can('monitor:write') ? <EditServer server={item} /> : null}
      <h2>Features</h2>
      <PagedList<FeatureUsage & { id: string }>
        label="Features"
        queryKey={['monitor', 'features', id]}
        fetchPage={async (page) => {
          const result = await fetchFeatures(id)(page);
          return { ...result, data: result.data.map((row) => ({ ...row, id: row.feature })) };
        }}
        empty="No feature seen yet: poll the server."
        columns={[
          {
            header: 'Feature',
            cell: (row) => (
              <button
                type="button"
                className="link"
                aria-pressed={feature === row.feature}
                onClick={() => setFeature(row.feature)}
              >
                {row.feature}
              </button>
            ),
          },
          { header: 'In use', cell: (row) => `${row.inUse} / ${row.issued ?? 'uncounted'}` },
          {
            header: 'Utilisation',
            cell: (row) => (row.utilization === null ? '—' : `${Math.round(row.utilization)} %`),
          },
          { header: 'Peak today', cell: (row) => row.peakToday },
          { header: 'Denials today', cell: (row) => row.denialsToday },
        ]}
      />
      <UsageChart serverId={id} feature={feature} />
      {feature ? (
        <button type="button" onClick={() => setFeature(undefined)}>
          Every feature
        </button>
      ) : null}
      <h2>Who holds what now</h2>
      <PagedList
        label="Sessions"
        queryKey={['monitor', 'sessions', id]}
        fetchPage={async (page) => {
          const result = await fetchSessions(id)(page);
          return {
            ...result,
            data: result.data.map((row, index) => ({
              ...row,
              id: `${row.feature}-${row.user}-${row.host}-${index}`,
            })),
          };
        }}
        empty="Nobody holds a license now."
        columns={[
          { header: 'Feature', cell: (row) => row.feature },
          { header: 'User', cell: (row) => row.user },
          { header: 'Host', cell: (row) => row.host },
          { header: 'Since', cell: (row) => when(row.startedAt) },
        ]}
      />
      <h2>Denials today</h2>
      <PagedList
        label="Denials"
        queryKey={['monitor', 'denials', id]}
        fetchPage={async (page) => {
          const result = await fetchDenials(id)(page);
          return {
            ...result,
            data: result.data.map((row) => ({ ...row, id: `${row.feature}-${row.user}-${row.host}` })),
          };
        }}
        empty="No license was denied today."
        columns={[
          { header: 'Feature', cell: (row) => row.feature },
          { header: 'User', cell: (row) => row.user },
          { header: 'Host', cell: (row) => row.host },
          { header: 'Denials', cell: (row) => row.count },
          { header: 'Last', cell: (row) => when(row.lastAt) },
        ]}
      />
      <h2>Polls</h2>
      <PagedList<PollSummary>
        label="Polls"
        queryKey={['monitor', 'polls', 'of', id]}
        fetchPage={fetchPolls(id)}
        columns={[
          { header: 'Started', cell: (poll) => when(poll.startedAt) },
          { header: 'Outcome', cell: (poll) => <Badge value={poll.outcome === 'ok' ? 'up' : 'failed'} /> },
          { header: 'Took', cell: (poll) => `${poll.durationMs} ms` },
          {
            header: 'Output',
            cell: (poll) => (
              <button
                type="button"
                className="link"
                onClick={() => setOpenPoll(openPoll === poll.id ? null : poll.id)}
              >
                {openPoll === poll.id ? 'Hide output' : 'Show output'}
              </button>
            ),
          },
        ]}
      />
      {openPoll ? <PollOutput id={openPoll} /> : null}
    </section>
  );
};
