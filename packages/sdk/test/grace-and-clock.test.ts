// Offline license-file checks over time, on fixed clocks: the grace period past a file's expiresAt (reported,
// never silent, and never past the license's end or a seat's lease), and the clock-tamper check against the
// last time seen, with its tolerance, and the file in '@charter/sdk/node' that keeps that time.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { type LicenseFileOptions, verifyLicenseFile } from '../src/index.js';
import { lastSeenFile } from '../src/node.js';
import { fileFor, keys, payload } from './license-files.js';

const at = (iso: string) => new Date(iso);
const day = 86_400;
const check = (options: LicenseFileOptions, value: object = payload) =>
  verifyLicenseFile(fileFor(value), keys, { fingerprint: 'fp-1', ...options });
const outcome = (result: Awaited<ReturnType<typeof verifyLicenseFile>>) =>
  result.valid ? 'VALID' : result.reason;

describe('grace period', () => {
  it('a file past its expiresAt verifies inside graceSeconds, reported inGrace with the time left', async () => {
    const result = await check({ now: at('2026-11-30T10:00:00.000Z'), graceSeconds: 3 * day });
    assert.ok(result.valid, JSON.stringify(result));
    assert.deepEqual(
      [result.inGrace, result.graceEndsAt, result.graceRemainingSeconds],
      [true, '2026-12-02T10:00:00.000Z', 2 * day],
    );
  });

  it('a file before its expiresAt is not in grace, whatever graceSeconds says', async () => {
    const result = await check({ now: at('2026-11-29T09:59:59.999Z'), graceSeconds: 3 * day });
    assert.ok(result.valid);
    assert.deepEqual([result.inGrace, result.graceEndsAt, result.graceRemainingSeconds], [false, null, null]);
  });

  it('past the grace period the file is EXPIRED, the message naming when the grace ended', async () => {
    const last = await check({ now: at('2026-12-02T09:59:59.000Z'), graceSeconds: 3 * day });
    assert.ok(last.valid && last.inGrace && last.graceRemainingSeconds === 1);
    const ended = await check({ now: at('2026-12-02T10:00:00.000Z'), graceSeconds: 3 * day });
    assert.deepEqual(ended, {
      valid: false,
      reason: 'EXPIRED',
      message:
        'The file expired at 2026-11-29T10:00:00.000Z, and its grace period ended at 2026-12-02T10:00:00.000Z',
    });
  });

  it('without graceSeconds a file expires at its expiresAt', async () => {
    assert.equal(outcome(await check({ now: at('2026-11-29T10:00:00.000Z') })), 'EXPIRED');
    assert.equal(outcome(await check({ now: at('2026-11-29T10:00:00.000Z'), graceSeconds: 0 })), 'EXPIRED');
  });

  it("grace never runs past the license's end under restrict, nor a floating seat's lease", async () => {
    const options = { now: at('2026-11-30T10:00:00.000Z'), graceSeconds: 3 * day };
    const licenseEnd = { ...payload.license, expiresAt: payload.expiresAt };
    const restricted = await check(options, {
      ...payload,
      license: { ...licenseEnd, policy: { expirationStrategy: 'restrict' } },
    });
    assert.equal(outcome(restricted), 'EXPIRED');
    assert.match(restricted.valid ? '' : restricted.message, /no grace runs past the license's end/);
    const leased = await check(options, {
      ...payload,
      lease: { id: 'lease_1', feature: null, expiresAt: payload.expiresAt, borrowedUntil: null },
    });
    assert.equal(outcome(leased), 'EXPIRED');
    // Under maintenance the license's end does not stop it from running, so neither does it stop the grace.
    const maintained = await check(options, {
      ...payload,
      license: { ...licenseEnd, policy: { expirationStrategy: 'maintenance' } },
    });
    assert.ok(maintained.valid && maintained.inGrace);
  });

  it('refuses a negative or non-finite graceSeconds or clockToleranceSeconds', async () => {
    const now = at('2026-11-23T00:00:00.000Z');
    await assert.rejects(check({ now, graceSeconds: -1 }), RangeError);
    await assert.rejects(check({ now, graceSeconds: Number.NaN }), RangeError);
    await assert.rejects(check({ now, clockToleranceSeconds: Number.POSITIVE_INFINITY }), RangeError);
  });
});

describe('clock-tamper detection', () => {
  const now = at('2026-11-23T00:00:00.000Z');

  it('a clock set back before lastSeenAt beyond the tolerance fails with CLOCK_TAMPERED', async () => {
    // Seen after the file (and its grace) ended, then the clock set back into the file's life.
    const result = await check({ now, lastSeenAt: '2026-12-05T00:00:00.000Z', graceSeconds: 3 * day });
    assert.deepEqual(result, {
      valid: false,
      reason: 'CLOCK_TAMPERED',
      message:
        "This machine's clock (2026-11-23T00:00:00.000Z) is behind the last time seen (2026-12-05T00:00:00.000Z): it was set back",
    });
    const justBeyond = new Date(now.getTime() + 301_000);
    assert.equal(outcome(await check({ now, lastSeenAt: justBeyond })), 'CLOCK_TAMPERED');
  });

  it('a clock behind lastSeenAt within the tolerance verifies, and lastSeenAt stays where it was', async () => {
    const lastSeenAt = new Date(now.getTime() + 300_000).toISOString();
    const result = await check({ now, lastSeenAt });
    assert.ok(result.valid, JSON.stringify(result));
    assert.equal(result.lastSeenAt, lastSeenAt);
    const wider = await check({ now, lastSeenAt: '2026-11-23T01:00:00.000Z', clockToleranceSeconds: 3600 });
    assert.ok(wider.valid);
    const none = await check({ now, lastSeenAt: '2026-11-23T00:00:01.000Z', clockToleranceSeconds: 0 });
    assert.equal(outcome(none), 'CLOCK_TAMPERED');
  });

  it('lastSeenAt advances to the clock of a valid check, and starts there without one', async () => {
    const advanced = await check({ now, lastSeenAt: at('2026-11-22T12:00:00.000Z') });
    assert.ok(advanced.valid);
    assert.equal(advanced.lastSeenAt, now.toISOString());
    const first = await check({ now });
    assert.ok(first.valid);
    assert.equal(first.lastSeenAt, now.toISOString());
  });

  it('a lastSeenAt that is not a date fails with CLOCK_TAMPERED (garbling it does not switch the check off)', async () => {
    assert.equal(outcome(await check({ now, lastSeenAt: 'yesterday' })), 'CLOCK_TAMPERED');
    assert.equal(outcome(await check({ now, lastSeenAt: '' })), 'CLOCK_TAMPERED');
  });

  describe('lastSeenFile', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'charter-sdk-last-seen-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('reads nothing before its first write, then keeps each valid check and catches a set-back clock', async () => {
      const lastSeen = lastSeenFile(path.join(dir, 'last-seen'));
      assert.equal(lastSeen.read(), undefined);
      const run = async (iso: string) => {
        const result = await check({ now: at(iso), lastSeenAt: lastSeen.read() });
        if (result.valid) lastSeen.write(result.lastSeenAt);
        return outcome(result);
      };
      assert.equal(await run('2026-11-25T00:00:00.000Z'), 'VALID');
      assert.equal(lastSeen.read(), '2026-11-25T00:00:00.000Z');
      assert.equal(await run('2026-11-24T00:00:00.000Z'), 'CLOCK_TAMPERED');
      assert.equal(lastSeen.read(), '2026-11-25T00:00:00.000Z');
      assert.equal(await run('2026-11-26T00:00:00.000Z'), 'VALID');
      assert.equal(lastSeen.read(), '2026-11-26T00:00:00.000Z');
    });

    it('passes a garbled file on as it is, so the check fails', async () => {
      const file = path.join(dir, 'garbled');
      writeFileSync(file, 'not a date\n');
      const lastSeenAt = lastSeenFile(file).read();
      assert.equal(lastSeenAt, 'not a date');
      assert.equal(outcome(await check({ now, lastSeenAt })), 'CLOCK_TAMPERED');
    });
  });
});
