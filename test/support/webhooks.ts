// A real local HTTP receiver for outbound webhooks (answers scripted per request, every request recorded with its
// raw body and headers), and the app's webhook worker driven by a test instead of a timer.
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createWebhookWorker } from '../../src/ops/webhooks/worker.js';
import type { TestApp } from './app.js';

export interface ReceivedWebhook {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What the receiver does with a request: answer a status (and body), or hold it without answering. */
export type ReceiverAnswer =
  | { status: number; body?: string; location?: string; delayMs?: number; headers?: Record<string, string> }
  | 'hang';

export interface Receiver {
  url: string;
  received: ReceivedWebhook[];
  /** Decides each answer; the default answers 204. */
  answer: (request: ReceivedWebhook, index: number) => ReceiverAnswer;
  close(): Promise<void>;
}

export const startReceiver = async (): Promise<Receiver> => {
  const held: ServerResponse[] = [];
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: () => ({ status: 204 }),
    close: async () => {
      for (const response of held) response.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      receiver.received.push(entry);
      const answer = receiver.answer(entry, receiver.received.length - 1);
      if (answer === 'hang') {
        held.push(response);
        return;
      }
      const send = () => {
        response.writeHead(answer.status, {
          ...(answer.location ? { location: answer.location } : {}),
          ...answer.headers,
        });
        response.end(answer.body ?? '');
      };
      if (answer.delayMs) setTimeout(send, answer.delayMs);
      else send();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  return receiver;
};

/** The webhook worker on the test app's storage and clock, run pass by pass with `runOnce()`. */
export const testWebhookWorker = (t: TestApp, options: { senders?: number; draw?: () => number } = {}) =>
  createWebhookWorker(
    {
      db: t.db,
      clock: t.clock,
      sealer: t.sealer,
      log: { info: () => {}, warn: () => {} },
      allowPrivateTargets: t.config.webhooksAllowPrivate,
      draw: options.draw ?? (() => 0.5),
    },
    { senders: options.senders ?? 4, intervalMs: 1000, retentionMs: 30 * 86400 * 1000 },
  );
