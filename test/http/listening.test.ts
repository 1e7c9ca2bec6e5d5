// Behaviour that only a real socket shows: header limits, huge uploads, and a graceful close.
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { connect } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { publicRoute } from '../../src/http/route-rules.js';
import { type TestApp, withApp } from '../support/app.js';
import { expectError } from '../support/expect-error.js';

/** Sends raw bytes and resolves with the whole answer (status line, headers, body). */
const rawRequest = (port: number, request: string | Buffer): Promise<string> =>
  new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', (error) =>
      chunks.length > 0 ? resolve(Buffer.concat(chunks).toString()) : reject(error),
    );
    socket.on('close', () => resolve(Buffer.concat(chunks).toString()));
    socket.write(request);
  });

const parseRaw = (raw: string) => {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...headerLines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const index = line.indexOf(':');
    headers[line.slice(0, index).toLowerCase()] = line.slice(index + 1).trim();
  }
  return { statusCode: Number(statusLine.split(' ')[1]), headers, body };
};

/** POSTs a body with node:http and resolves with the answer, even when the server cuts the upload short. */
const upload = (port: number, path: string, body: Buffer) =>
  new Promise<{ statusCode: number; headers: Record<string, string | string[] | undefined>; body: string }>(
    (resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path, method: 'POST', headers: { 'content-type': 'application/json' } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () =>
            resolve({
              statusCode: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString(),
            }),
          );
        },
      );
      req.on('error', reject);
      req.end(body);
    },
  );

describe('a listening server', () => {
  let t: TestApp;
  let port: number;
  let slowStarted: () => void = () => {};
  let releaseSlow: () => void = () => {};

  const probeRoutes = async (app: FastifyInstance) => {
    app.post('/test/echo', { config: { auth: publicRoute } }, async (req) => ({
      size: JSON.stringify(req.body).length,
    }));
    app.get('/test/slow', { config: { auth: publicRoute } }, async () => {
      await new Promise<void>((resolve) => {
        releaseSlow = resolve;
        slowStarted();
      });
      return { finished: true };
    });
  };

  before(async () => {
    t = await withApp({ dialect: 'sqlite', extend: probeRoutes });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  after(() => t.close());

  it('headers over 16 KiB answer 431 HEADERS_TOO_LARGE with the envelope', async () => {
    const raw = await rawRequest(
      port,
      `GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`,
    );
    expectError(parseRaw(raw), 431, 'HEADERS_TOO_LARGE');
  });

  it('a 100 KB Authorization header answers 431 HEADERS_TOO_LARGE and the server keeps serving', async () => {
    const raw = await rawRequest(
      port,
      `GET /v1/api-keys HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ck_${'a'.repeat(100 * 1024)}\r\n\r\n`,
    );
    expectError(parseRaw(raw), 431, 'HEADERS_TOO_LARGE');
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  });

  it('a 10 MB upload answers 413 BODY_TOO_LARGE and the server keeps serving', async () => {
    const res = await upload(port, '/test/echo', Buffer.alloc(10 * 1024 * 1024, 0x20));
    expectError(res, 413, 'BODY_TOO_LARGE');
    const small = await upload(port, '/test/echo', Buffer.from('{"a":1}'));
    assert.equal(small.statusCode, 200);
    assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 200);
  });

  it('on close, in-flight requests finish and new connections are refused', async () => {
    const started = new Promise<void>((resolve) => {
      slowStarted = resolve;
    });
    const inFlight = fetch(`http://127.0.0.1:${port}/test/slow`).then(async (res) => ({
      status: res.status,
      body: await res.json(),
    }));
    await started;
    const closing = t.app.close();
    await assert.rejects(fetch(`http://127.0.0.1:${port}/healthz`));
    releaseSlow();
    assert.deepEqual(await inFlight, { status: 200, body: { finished: true } });
    await closing;
  });
});
