// The load driver, run as its own process: autocannon's programmatic API with a request body chosen per request
// (rotating license keys and fingerprints), printing autocannon's result as JSON on stdout.
import { readFileSync } from 'node:fs';
import autocannon from 'autocannon';
import type { SeedSamples } from './seed.js';

interface DriveOptions {
  url: string;
  method: 'GET' | 'POST';
  path: string;
  connections: number;
  duration: number;
  overallRate?: number;
  headers?: Record<string, string>;
  /** A fixed JSON body, or one built per request from the seed samples. */
  body?: unknown;
  bodies?: 'validate' | 'validate-fingerprint' | 'validate-signed' | 'activate';
  samplesFile?: string;
}

const options = JSON.parse(process.argv[2] ?? '{}') as DriveOptions;
const samples: SeedSamples | undefined = options.samplesFile
  ? JSON.parse(readFileSync(options.samplesFile, 'utf8'))
  : undefined;

let counter = 0;
const nextBody = (): string => {
  counter++;
  const pick = samples?.validate[counter % (samples?.validate.length || 1)];
  switch (options.bodies) {
    case 'validate':
      return JSON.stringify({ licenseKey: pick?.licenseKey });
    case 'validate-fingerprint':
      return JSON.stringify({ licenseKey: pick?.licenseKey, fingerprint: pick?.fingerprint });
    case 'validate-signed':
      return JSON.stringify({
        licenseKey: pick?.licenseKey,
        fingerprint: pick?.fingerprint,
        nonce: `bench-nonce-${counter}`,
      });
    case 'activate': {
      const keys = samples?.activate ?? [];
      // Each pool license takes three activations, one per fresh fingerprint.
      return JSON.stringify({
        licenseKey: keys[counter % (keys.length || 1)],
        fingerprint: `bench-${counter}`,
      });
    }
    default:
      return options.body === undefined ? '' : JSON.stringify(options.body);
  }
};

const headers = {
  ...(options.headers ?? {}),
  ...(options.method === 'POST' ? { 'content-type': 'application/json' } : {}),
};
const result = await autocannon({
  url: options.url,
  connections: options.connections,
  duration: options.duration,
  ...(options.overallRate ? { overallRate: options.overallRate } : {}),
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
