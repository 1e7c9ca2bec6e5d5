// What the load drivers send: their options, and the request body of each scenario, built per request from the
// seed samples (rotating license keys and fingerprints).
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { SeedSamples } from './seed.js';

export const bodyKinds = ['validate', 'validate-fingerprint', 'validate-signed', 'activate'] as const;

export const driveOptionsSchema = z.object({
  url: z.string(),
  method: z.enum(['GET', 'POST']),
  path: z.string(),
  connections: z.number().int().positive(),
  duration: z.number().positive(),
  /** Stop after this many requests instead (autocannon's `amount`: the duration is then ignored). */
  amount: z.number().int().positive().optional(),
  overallRate: z.number().positive().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  /** A fixed JSON body, or one built per request from the seed samples. */
  body: z.unknown().optional(),
  bodies: z.enum(bodyKinds).optional(),
  samplesFile: z.string().optional(),
  /** Activation: which slice of the pool this run takes, and a prefix that keeps its fingerprints its own. */
  activationStart: z.number().int().min(0).default(0),
  fingerprintPrefix: z.string().default('bench'),
});
export type DriveOptions = z.infer<typeof driveOptionsSchema>;

/** A function answering the next request's body. */
export const bodyMaker = (options: DriveOptions): (() => string) => {
  const samples: SeedSamples | undefined = options.samplesFile
    ? JSON.parse(readFileSync(options.samplesFile, 'utf8'))
    : undefined;
  let counter = 0;
  return () => {
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
          licenseKey: keys[(options.activationStart + counter) % (keys.length || 1)],
          fingerprint: `${options.fingerprintPrefix}-${counter}`,
        });
      }
      default:
        return options.body === undefined ? '' : JSON.stringify(options.body);
    }
  };
};
