// One outbound webhook request: POST with a 10 s limit on the whole exchange, no redirects followed (node:http never
// follows them; a 3xx is a failed attempt), the first 2 KiB of the answer kept. The private-address guard runs in
// the connection's own DNS lookup, so the address checked is the address connected to (no rebinding in between).
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { isInternalAddress } from './targets.js';

export const webhookTimeoutMs = 10_000;
export const responseExcerptBytes = 2048;

export interface SendOutcome {
  /** The HTTP status, or null when no answer came (refused, unreachable, timed out). */
  statusCode: number | null;
  latencyMs: number;
  /** The first 2 KiB of the answer's body. */
  body: string | null;
  error: string | null;
  /** The answer's Retry-After as sent (delta-seconds or an HTTP-date), when it sent one. */
  retryAfter?: string;
}

/** Retry-After as seconds from now: delta-seconds, or an HTTP-date; undefined when absent or unreadable. */
export const parseRetryAfter = (value: string | string[] | undefined, nowMs: number): number | undefined => {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined) return undefined;
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  const at = Date.parse(text);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - nowMs) / 1000)) : undefined;
};

class RefusedTarget extends Error {}

const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
    if (error) return callback(error, '', 0);
    const blocked = addresses.find((entry) => isInternalAddress(entry.address));
    if (blocked) {
      return callback(
        new RefusedTarget(`${hostname} resolves to ${blocked.address}, an internal address`),
        '',
        0,
      );
    }
    if (options.all) return (callback as (e: null, all: LookupAddress[]) => void)(null, addresses);
    const [first] = addresses;
    if (!first) return callback(new RefusedTarget(`${hostname} has no address`), '', 0);
    return callback(null, first.address, first.family);
  });
};

export const sendWebhook = (request: {
  url: string;
  headers: Record<string, string>;
  body: string;
  allowPrivate: boolean;
  timeoutMs?: number;
}): Promise<SendOutcome> => {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const target = new URL(request.url);
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!request.allowPrivate && isIP(host) !== 0 && isInternalAddress(host)) {
    return Promise.resolve({
      statusCode: null,
      latencyMs: 0,
      body: null,
      error: `refused: ${host} is an internal address`,
    });
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: Omit<SendOutcome, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, latencyMs: elapsed() });
    };
    const transport = target.protocol === 'https:' ? https : http;
    const outgoing = transport.request(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(request.body),
        'user-agent': 'Charter-Webhooks/1',
        ...request.headers,
      },
      ...(request.allowPrivate ? {} : { lookup: guardedLookup }),
      agent: false,
    });
    const timeoutMs = request.timeoutMs ?? webhookTimeoutMs;
    const timer = setTimeout(() => {
      outgoing.destroy();
      finish({ statusCode: null, body: null, error: `timed out after ${timeoutMs / 1000} s` });
    }, timeoutMs);
    outgoing.on('error', (error) => {
      finish({
        statusCode: null,
        body: null,
        error: error instanceof RefusedTarget ? `refused: ${error.message}` : error.message,
      });
    });
    outgoing.on('response', (response) => {
      const chunks: Buffer[] = [];
      let kept = 0;
      const done = () => {
        const body = Buffer.concat(chunks).subarray(0, responseExcerptBytes).toString('utf8');
        const retryAfter = response.headers['retry-after'];
        finish({
          statusCode: response.statusCode ?? null,
          body,
          error: null,
          ...(typeof retryAfter === 'string' ? { retryAfter } : {}),
        });
      };
      response.on('data', (chunk: Buffer) => {
        if (kept < responseExcerptBytes) {
          chunks.push(chunk);
          kept += chunk.length;
        }
        // Enough is kept: the rest is not worth waiting for.
        if (kept >= responseExcerptBytes) {
          done();
          response.destroy();
        }
      });
      response.on('end', done);
      response.on('error', done);
      response.on('close', done);
    });
    outgoing.end(request.body);
  });
};
