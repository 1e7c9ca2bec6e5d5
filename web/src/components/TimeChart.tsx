// A time series drawn with uPlot: one or more lines over shared timestamps (seconds). The figures are also given
// as a table (the buckets that hold a value) for screen readers and keyboard users, since a canvas says nothing
// to them.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface Series {
  label: string;
  values: (number | null)[];
  colour: string;
}

export const TimeChart = ({
  title,
  times,
  series,
  height = 220,
}: {
  title: string;
  times: number[];
  series: Series[];
  height?: number;
}) => {
  const host = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = host.current;
    if (!element || times.length === 0) return;
    const plot = new uPlot(
      {
        width: Math.max(320, element.clientWidth),
        height,
        series: [
          {},
          ...series.map((line) => ({
            label: line.label,
            stroke: line.colour,
            width: 2,
            spanGaps: false,
            // Points too: a series of one sample (a server polled once) has no line to draw.
            points: { show: true, size: 6, fill: line.colour },
          })),
        ],
        axes: [{}, { label: '' }],
        legend: { live: false },
      },
      [times, ...series.map((line) => line.values)] as uPlot.AlignedData,
      element,
    );
    const resize = new ResizeObserver(() =>
      plot.setSize({ width: Math.max(320, element.clientWidth), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [times, series, height]);
  return (
    <figure className="chart">
      <figcaption>{title}</figcaption>
      {times.length === 0 ? (
        <p className="muted">No data in this period yet.</p>
      ) : (
        <div ref={host} role="img" aria-label={title} />
      )}
      {times.length > 0 ? (
        <details>
          <summary>Figures of “{title}”</summary>
          <table aria-label={`${title}: figures`}>
            <thead>
              <tr>
                <th scope="col">Time (UTC)</th>
                {series.map((line) => (
                  <th key={line.label} scope="col">
                    {line.label}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {times.map((time, index) =>
                series.every(
                  (line) => line.values[index] === null || line.values[index] === undefined,
                ) ? null : (
                  <tr key={time}>
                    <td>{new Date(time * 1000).toISOString().slice(0, 16).replace('T', ' ')}</td>
                    {series.map((line) => (
                      <td key={line.label}>{line.values[index] ?? '—'}</td>
                    ))}
                  </tr>
                ),
              )}
            </tbody>
          </table>
        </details>
      ) : null}
    </figure>
  );
};
