// Usage over time per product: validations, activations, checkouts and denials per bucket, and the peak of seats
// in use, by hour (last day) or by day (last 30 days).
import { useQuery } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { api, unwrap } from '../../api/client';
import { ErrorBanner } from '../../components/ErrorBanner';
import { Field } from '../../components/Field';
import { ProductSelect } from '../../components/ProductSelect';
import { TimeChart } from '../../components/TimeChart';

const colours = {
  validations: '#1d4ed8',
  activations: '#146c2e',
  checkouts: '#6b21a8',
  denials: '#b42318',
  peakSeats: '#8a4b00',
};

export const Usage = () => {
  const [productId, setProductId] = useState('');
  const [bucket, setBucket] = useState<'hour' | 'day'>('day');
  const usage = useQuery({
    queryKey: ['usage', productId, bucket],
    queryFn: () => {
      const to = new Date();
      const from = new Date(to.getTime() - (bucket === 'hour' ? 24 : 30 * 24) * 3600_000);
      return unwrap(
        api.GET('/v1/usage', {
          params: {
            query: {
              bucket,
              from: from.toISOString(),
              to: to.toISOString(),
              ...(productId ? { productId } : {}),
            },
          },
        }),
      );
    },
  });
  const chart = useMemo(() => {
    const points = usage.data?.data ?? [];
    const times = points.map((point) => Math.floor(Date.parse(point.start) / 1000));
    const line = (key: keyof typeof colours, label: string) => ({
      label,
      colour: colours[key],
      values: points.map((point) => point[key]),
    });
    return {
      times,
      calls: [
        line('validations', 'validations'),
        line('activations', 'activations'),
        line('checkouts', 'checkouts'),
        line('denials', 'denials'),
      ],
      seats: [line('peakSeats', 'peak seats in use')],
    };
  }, [usage.data]);
  const period = bucket === 'hour' ? 'by hour, last day' : 'by day, last 30 days';
  return (
    <section>
      <h1>Usage</h1>
      <div className="filters">
        <ProductSelect none="Every product" value={productId} onChange={setProductId} />
        <Field label="Buckets">
          {(props) => (
            <select
              {...props}
              value={bucket}
              onChange={(event) => setBucket(event.target.value as 'hour' | 'day')}
            >
              <option value="day">by day</option>
              <option value="hour">by hour</option>
            </select>
          )}
        </Field>
      </div>
      <ErrorBanner error={usage.error} onRetry={() => void usage.refetch()} />
      <TimeChart title={`Calls ${period}`} times={chart.times} series={chart.calls} />
      <TimeChart title={`Peak seats in use ${period}`} times={chart.times} series={chart.seats} />
    </section>
  );
};
