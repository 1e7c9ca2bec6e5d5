// The overview: today's validations and activations, and the peak of seats in use, from the usage report.
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { api, unwrap } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';

const startOfDay = () => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();
};

export const Overview = () => {
  const usage = useQuery({
    queryKey: ['usage', 'today'],
    queryFn: () => unwrap(api.GET('/v1/usage', { params: { query: { bucket: 'day', from: startOfDay() } } })),
  });
  const today = usage.data?.data.at(-1);
  return (
    <section>
      <h1>Overview</h1>
      <ErrorBanner error={usage.error} onRetry={() => void usage.refetch()} />
      <ul className="tiles">
        <li>
          <Link to="/licenses">
            <span className="tile-figure">{today?.validations ?? '…'}</span> validations today
          </Link>
        </li>
        <li>
          <Link to="/machines">
            <span className="tile-figure">{today?.activations ?? '…'}</span> activations today
          </Link>
        </li>
        <li>
          <span className="tile-figure">{today?.peakSeats ?? '…'}</span> peak seats in use today
        </li>
        <li>
          <span className="tile-figure">{today?.denials ?? '…'}</span> seat denials today
        </li>
      </ul>
    </section>
  );
};
