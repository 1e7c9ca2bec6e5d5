// The request logger (lib/logger.ts): made into a pino child only when it writes, and then writing what pino's own
// child writes; redaction still applies.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createLogger,
  RequestLogger,
  requestLineLogger,
  requestLoggerFactory,
} from '../../src/lib/logger.js';

const capture = (level: string) => {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger(level, { write: (line: string) => lines.push(JSON.parse(line)) });
  return { logger, lines };
};

describe('request logger', () => {
  it('writes nothing and makes no child for a level that is off', () => {
    const { logger, lines } = capture('warn');
    let children = 0;
    const child = logger.child.bind(logger);
    logger.child = ((...args: Parameters<typeof logger.child>) => {
      children++;
      return child(...args);
    }) as typeof logger.child;
    const request = new RequestLogger(logger, { requestId: 'req-1' });
    request.info({ route: '/x' }, 'request');
    request.debug('detail');
    assert.equal(request.isLevelEnabled('info'), false);
    assert.equal(request.level, 'warn');
    assert.equal(children, 0);
    assert.deepEqual(lines, []);
    request.warn({ route: '/x' }, 'slow');
    request.error(new Error('boom'));
    assert.equal(children, 1, 'one child, made at the first line written');
    assert.equal(lines.length, 2);
  });

  it('writes the same line as pino’s own child, bound to the request, with secrets redacted', () => {
    const ours = capture('info');
    const pinos = capture('info');
    new RequestLogger(ours.logger, { requestId: 'req-2' }).info(
      { licenseKey: 'LK-SECRET', clientSecret: 'cs-1', nested: { password: 'hunter2' }, n: 1 },
      'hello %s',
      'world',
    );
    pinos.logger
      .child({ requestId: 'req-2' })
      .info(
        { licenseKey: 'LK-SECRET', clientSecret: 'cs-1', nested: { password: 'hunter2' }, n: 1 },
        'hello %s',
        'world',
      );
    const [line] = ours.lines;
    const [expected] = pinos.lines;
    assert.ok(line && expected);
    delete line.time;
    delete expected.time;
    assert.deepEqual(line, expected);
    assert.equal(line.requestId, 'req-2');
    assert.equal(line.licenseKey, '[redacted]');
    assert.equal(line.clientSecret, '[redacted]');
    assert.deepEqual(line.nested, { password: '[redacted]' });
    assert.equal(line.msg, 'hello world');
  });

  it('a route’s own level or serializers get pino’s child as before', () => {
    const { logger } = capture('info');
    assert.ok(requestLoggerFactory(logger, { requestId: 'a' }, {}) instanceof RequestLogger);
    const child = requestLoggerFactory(logger, { requestId: 'b' }, { level: 'debug' });
    assert.ok(!(child instanceof RequestLogger));
    assert.equal(child.level, 'debug');
  });

  it('the request line’s logger writes the same JSON to the same stream, at the same level, without redaction', () => {
    const { logger, lines } = capture('info');
    const fields = {
      requestId: 'req-3',
      method: 'POST',
      route: '/v1/x',
      status: 200,
      latencyMs: 0.25,
      actorId: null,
    };
    logger.info(fields, 'request');
    requestLineLogger(logger).info(fields, 'request');
    const [redacting, plain] = lines;
    assert.ok(redacting && plain);
    assert.equal(typeof plain.time, 'string');
    assert.deepEqual(Object.keys(plain), Object.keys(redacting));
    delete redacting.time;
    delete plain.time;
    assert.deepEqual(plain, redacting);
    assert.equal(plain.service, 'charter');
    const quiet = capture('warn');
    assert.equal(requestLineLogger(quiet.logger).isLevelEnabled('info'), false);
    requestLineLogger(quiet.logger).info(fields, 'request');
    assert.deepEqual(quiet.lines, []);
    // A logger not made by createLogger (a child) answers itself, redaction and all.
    const child = logger.child({ role: 'x' });
    assert.equal(requestLineLogger(child), child);
  });

  it('times lines in ISO 8601 to the millisecond, as pino’s isoTime does', () => {
    const { logger, lines } = capture('info');
    const before = Date.now();
    logger.info('one');
    logger.info('two');
    const after = Date.now();
    for (const line of lines) {
      assert.match(String(line.time), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
      const at = Date.parse(String(line.time));
      assert.ok(at >= before && at <= after, `${line.time} within [${before}, ${after}]`);
    }
  });
});
