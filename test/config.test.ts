// Configuration: defaults, the file and the environment, and a clear refusal naming every bad variable.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, testServices } from '../src/config.js';

const emptyDir = () => mkdtempSync(path.join(tmpdir(), 'charter-config-'));

describe('configuration', () => {
  it('defaults to 127.0.0.1:8080, SQLite in ./data, a 1 MiB body limit and the api.md rate limits', () => {
    const cwd = emptyDir();
    const config = loadConfig({ env: {}, cwd });
    assert.equal(config.port, 8080);
    assert.equal(config.host, '127.0.0.1');
    assert.equal(config.dataDir, path.join(cwd, 'data'));
    assert.equal(config.databaseUrl, undefined);
    assert.equal(config.bodyLimit, 1024 * 1024);
    assert.deepEqual(config.rateLimits, { clientKey: 60, clientIp: 600, management: 1200, trialIp: 10 });
    assert.deepEqual(config.session, { idleSeconds: 1800, maxSeconds: 43200 });
    assert.equal(config.monitor.concurrency, 4);
    assert.equal(config.trustProxy, false);
  });

  it('reads every variable from the environment, with units, lists and booleans', () => {
    const config = loadConfig({
      cwd: emptyDir(),
      env: {
        PORT: '9000',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
        REDIS_URL: 'redis://127.0.0.1:6379',
        CHARTER_BODY_LIMIT: '2mib',
        CHARTER_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1',
        CHARTER_REQUIRE_APPROVAL: 'revoke_license, delete_product',
        CHARTER_METRICS_PUBLIC: 'true',
        CHARTER_RATE_LIMIT_CLIENT_KEY: '0',
        CHARTER_SECRET_KEY: 'a'.repeat(64),
      },
    });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.databaseUrl, 'postgres://postgres@127.0.0.1:5432/test');
    assert.equal(config.bodyLimit, 2 * 1024 * 1024);
    assert.deepEqual(config.trustProxy, ['10.0.0.0/8', '127.0.0.1']);
    assert.deepEqual(config.requireApproval, ['revoke_license', 'delete_product']);
    assert.equal(config.metricsPublic, true);
    assert.equal(config.rateLimits.clientKey, 0);
  });

  it('refuses bad values with one message naming every bad variable and what it allows', () => {
    assert.throws(
      () =>
        loadConfig({
          cwd: emptyDir(),
          env: {
            PORT: 'eighty',
            DATABASE_URL: 'mysql://x',
            CHARTER_LOG_LEVEL: 'loud',
            CHARTER_BODY_LIMIT: 'huge',
          },
        }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        for (const name of ['PORT', 'DATABASE_URL', 'CHARTER_LOG_LEVEL', 'CHARTER_BODY_LIMIT']) {
          assert.match(error.message, new RegExp(`${name}: `));
        }
        assert.match(error.message, /whole number/);
        assert.match(error.message, /fatal.*error.*warn.*info/);
        return true;
      },
    );
  });

  it('refuses a bootstrap email without its password', () => {
    assert.throws(
      () => loadConfig({ cwd: emptyDir(), env: { CHARTER_BOOTSTRAP_EMAIL: 'owner@example.com' } }),
      /CHARTER_BOOTSTRAP_EMAIL and CHARTER_BOOTSTRAP_PASSWORD/,
    );
  });

  it('reads the operations settings: incident rules, per-feature hours, mail recipients; mail needs its sender', () => {
    const config = loadConfig({
      env: {
        CHARTER_INCIDENT_SERVER_DOWN_POLLS: '0',
        CHARTER_INCIDENT_CHECKOUT_HOURS_BY_FEATURE: 'Virtuoso=4, render=24',
        CHARTER_SMTP_URL: 'smtp://mail.example.com:587',
        CHARTER_MAIL_FROM: 'charter@example.com',
        CHARTER_MAIL_TO_CRITICAL: 'oncall@example.com,pager@example.com',
        CHARTER_MAIL_INCIDENT_SEVERITY: 'warning',
      },
    });
    assert.equal(config.incidents.serverDownPolls, 0);
    assert.deepEqual(config.incidents.checkoutHoursByFeature, { Virtuoso: 4, render: 24 });
    assert.deepEqual(config.mail.to, { critical: ['oncall@example.com', 'pager@example.com'] });
    assert.equal(config.mail.incidentSeverity, 'warning');
    assert.throws(
      () => loadConfig({ env: { CHARTER_SMTP_URL: 'smtp://mail.example.com' } }),
      (error: Error) => error instanceof ConfigError && /CHARTER_MAIL_FROM: required/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ env: { CHARTER_MAIL_TO_WARNING: 'not-an-address' } }),
      (error: Error) => error instanceof ConfigError && /CHARTER_MAIL_TO_WARNING/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ env: { CHARTER_INCIDENT_CHECKOUT_HOURS_BY_FEATURE: 'Virtuoso:4' } }),
      (error: Error) => error instanceof ConfigError && /is not feature=hours/.test(error.message),
    );
  });

  it('turns customer mail on per kind (none by default), naming an unknown kind and requiring SMTP', () => {
    const mail = {
      CHARTER_SMTP_URL: 'smtp://mail.example.com:587',
      CHARTER_MAIL_FROM: 'licenses@example.com',
    };
    assert.deepEqual(loadConfig({ cwd: emptyDir(), env: mail }).customerMail, []);
    assert.deepEqual(
      loadConfig({
        cwd: emptyDir(),
        env: { ...mail, CHARTER_CUSTOMER_MAIL: 'license_issued, license_expiring,license_issued' },
      }).customerMail,
      ['license_issued', 'license_expiring'],
    );
    assert.throws(
      () =>
        loadConfig({
          cwd: emptyDir(),
          env: { ...mail, CHARTER_CUSTOMER_MAIL: 'license_issued,order_shipped' },
        }),
      (error: Error) =>
        error instanceof ConfigError &&
        /CHARTER_CUSTOMER_MAIL\.1: unknown kind "order_shipped" \(kinds: license_issued, trial_started/.test(
          error.message,
        ),
    );
    assert.throws(
      () => loadConfig({ cwd: emptyDir(), env: { CHARTER_CUSTOMER_MAIL: 'license_issued' } }),
      (error: Error) =>
        error instanceof ConfigError && /CHARTER_CUSTOMER_MAIL: needs CHARTER_SMTP_URL/.test(error.message),
    );
    assert.throws(
      () => loadConfig({ cwd: emptyDir(), env: { ...mail, CHARTER_CUSTOMER_MAIL: 'user_invited' } }),
      (error: Error) =>
        error instanceof ConfigError &&
        /CHARTER_PUBLIC_URL: required when CHARTER_CUSTOMER_MAIL/.test(error.message),
    );
    const invitations = loadConfig({
      cwd: emptyDir(),
      env: {
        ...mail,
        CHARTER_CUSTOMER_MAIL: 'user_invited',
        CHARTER_PUBLIC_URL: 'https://licenses.example.com/',
      },
    });
    assert.equal(invitations.publicUrl, 'https://licenses.example.com', 'kept without its trailing slash');
  });

  it('reads charter.config.json, and the environment wins over it', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'charter.config.json'), JSON.stringify({ PORT: 7000, HOST: '0.0.0.0' }));
    const config = loadConfig({ cwd, env: { PORT: '7100' } });
    assert.equal(config.port, 7100);
    assert.equal(config.host, '0.0.0.0');
  });

  it('refuses a config file with unknown keys or that is not JSON', () => {
    const cwd = emptyDir();
    writeFileSync(path.join(cwd, 'bad.json'), JSON.stringify({ PORTT: 1 }));
    assert.throws(() => loadConfig({ cwd, env: {}, file: 'bad.json' }), /unknown keys: PORTT/);
    writeFileSync(path.join(cwd, 'broken.json'), '{');
    assert.throws(() => loadConfig({ cwd, env: {}, file: 'broken.json' }), /not valid JSON/);
    assert.throws(() => loadConfig({ cwd, env: {}, file: 'missing.json' }), /does not exist/);
  });

  it('a missing TEST_DATABASE_URL or TEST_REDIS_URL skips its suites, except under CI=true where it is an error naming it', () => {
    const databaseUrl = 'postgres://postgres@127.0.0.1:5432/test';
    const redisUrl = 'redis://127.0.0.1:6379';
    assert.deepEqual(testServices({}), { databaseUrl: undefined, redisUrl: undefined });
    assert.deepEqual(testServices({ CI: 'false', TEST_REDIS_URL: redisUrl }), {
      databaseUrl: undefined,
      redisUrl,
    });
    assert.deepEqual(testServices({ CI: 'true', TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: redisUrl }), {
      databaseUrl,
      redisUrl,
    });
    const refusal = (env: Record<string, string>, missing: RegExp, present?: RegExp) =>
      assert.throws(
        () => testServices(env),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError);
          assert.match(error.message, missing);
          if (present) assert.doesNotMatch(error.message, present);
          return true;
        },
      );
    refusal({ CI: 'true', TEST_REDIS_URL: redisUrl }, /TEST_DATABASE_URL is unset/, /TEST_REDIS_URL/);
    // An empty value is as good as none.
    refusal(
      { CI: 'true', TEST_DATABASE_URL: databaseUrl, TEST_REDIS_URL: '' },
      /TEST_REDIS_URL is unset/,
      /TEST_DATABASE_URL/,
    );
    refusal({ CI: 'true' }, /TEST_DATABASE_URL and TEST_REDIS_URL are unset/);
  });
});
