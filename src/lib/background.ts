// Background work made visible: every timer-driven job of the server (a usage flush, a worker's scan, a sweep)
// runs through `background(name, work)`, which publishes its duration on the 'charter:background' diagnostics
// channel when anyone listens (the benchmark's stall accounting does; nothing does by default, and then the cost
// is one property read). On SQLite a job's queries run on the event loop, so its duration is how long requests
// waited behind it; on PostgreSQL it is wall time, most of it spent awaiting the server.
import { channel } from 'node:diagnostics_channel';

export const backgroundChannel = 'charter:background';

export interface BackgroundRun {
  name: string;
  /** Wall time from the job's start to its end, ms. */
  ms: number;
  failed: boolean;
}

const published = channel(backgroundChannel);

export const background = async <T>(name: string, work: () => Promise<T>): Promise<T> => {
  if (!published.hasSubscribers) return work();
  const started = performance.now();
  let failed = false;
  try {
    return await work();
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    published.publish({ name, ms: performance.now() - started, failed } satisfies BackgroundRun);
  }
};
