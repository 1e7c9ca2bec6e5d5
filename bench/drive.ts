// The load driver, run as its own process: autocannon's programmatic API with a request body chosen per request
// (bench/requests.ts), printing autocannon's result as JSON on stdout. For load at a set rate, bench/paced.ts.
import autocannon from 'autocannon';
import { bodyMaker, driveOptionsSchema } from './requests.js';

const options = driveOptionsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
const nextBody = bodyMaker(options);
const headers = {
  ...(options.headers ?? {}),
  ...(options.method === 'POST' ? { 'content-type': 'application/json' } : {}),
};
const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.duration,
  ...(options.amount === undefined ? {} : { amount: options.amount }),
  requests: [
    {
      method: options.method,
      path: options.path,
      headers,
      setupRequest: (request) => (options.method === 'POST' ? { ...request, body: nextBody() } : request),
    },
  ],
});
process.stdout.write(JSON.stringify(result));
