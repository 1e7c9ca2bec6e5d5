// The Client API's own limits (api.md "Rate limits"): per address and per license key each minute, and trials per
// address each hour. A license key is counted in the form the key lookup uses (normalizeLicenseKey: case, spaces,
// O→0, I/L→1), so a key typed with look-alike letters is the same license in the same bucket.
import type { FastifyInstance } from 'fastify';
import { enforceLimit, type RateLimiter } from '../../http/rate-limit.js';
import type { Clock } from '../../lib/clock.js';
import { sha256Hex } from '../../lib/secrets.js';
import { normalizeLicenseKey } from '../licenses/license-key.js';

export interface ClientLimitDeps {
  limiter: RateLimiter;
  clock: Clock;
  /** Requests per minute (trialIp: per hour); 0 turns a limit off. */
  limits: { clientKey: number; clientIp: number; trialIp: number };
}

const minute = 60;
/**
 * Portal sign-ins and invitation acceptances per address and minute (at most CHARTER_RATE_LIMIT_CLIENT_IP, off with
 * it): each costs a password hash, and spraying many emails from one address never trips the per-email lock.
 */
export const signInsPerAddressPerMinute = 30;

/** The per-key counter's key: a digest of the normalized key, so license keys never reach the counter store. */
export const licenseKeyBucket = (licenseKey: string): string =>
  sha256Hex(normalizeLicenseKey(licenseKey)).slice(0, 32);

export const registerClientLimits = (app: FastifyInstance, deps: ClientLimitDeps): void => {
  const { limits } = deps;
  app.addHook('onRequest', async (request, reply) => {
    const kind = request.routeOptions.config.auth?.kind;
    if ((kind === 'license-key' || kind === 'license-user') && limits.clientIp > 0) {
      await enforceLimit(deps, reply, {
        bucket: 'client-ip',
        key: request.ip,
        limit: limits.clientIp,
        windowSeconds: minute,
        scope: 'ip',
      });
    }
    if (request.routeOptions.config.addressQuota === 'sign-in' && limits.clientIp > 0) {
      await enforceLimit(deps, reply, {
        bucket: 'sign-in-ip',
        key: request.ip,
        limit: Math.min(limits.clientIp, signInsPerAddressPerMinute),
        windowSeconds: minute,
        scope: 'ip',
      });
    }
    if (request.routeOptions.config.addressQuota === 'trial' && limits.trialIp > 0) {
      await enforceLimit(deps, reply, {
        bucket: 'trial-ip',
        key: request.ip,
        limit: limits.trialIp,
        windowSeconds: 3600,
        scope: 'ip',
      });
    }
  });

  // The per-license-key limit needs the body, so it runs once the body is parsed.
  app.addHook('preHandler', async (request, reply) => {
    if (request.routeOptions.config.auth?.kind !== 'license-key' || limits.clientKey <= 0) return;
    const licenseKey = (request.body as { licenseKey?: unknown } | undefined)?.licenseKey;
    if (typeof licenseKey !== 'string' || licenseKey === '') return;
    await enforceLimit(deps, reply, {
      bucket: 'client-key',
      key: licenseKeyBucket(licenseKey),
      limit: limits.clientKey,
      windowSeconds: minute,
      scope: 'license_key',
    });
  });
};
