// `npm pack` as a vendor would use it: the tarball, installed into a scratch project, loads from ESM and
// from CommonJS (`.` and `./node`, each format its own build), verifies a license file signed here, and its
// types check under nodenext from an ESM (.mts) and a CommonJS (.cts) file. The package is packed from a copy,
// so the tree's own dist/, which other tests run against, is never cleaned or rebuilt underneath them.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { fileFor, keys, payload } from './license-files.js';

const run = promisify(execFile);
const packageDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const toolchain = path.join(packageDir, '../../node_modules');
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
// The scratch project's npm is a vendor's, not the npm this suite may run under: none of its npm_* settings
// (the cache and the user config aside) leak into it.
const env = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) => !/^npm_/i.test(name) || /^npm_config_(cache|userconfig)$/i.test(name),
  ),
);

/** Loads the package both ways, then prints what it resolved to and what it answered. */
const script = (load: string, resolve: string) => `${load}
(async () => {
  const { file, keys, now } = JSON.parse(readFileSync('fixture.json', 'utf8'));
  const lastSeen = lastSeenFile('last-seen-' + ${JSON.stringify(resolve)}.length);
  const checked = await verifyLicenseFile(file, keys, {
    fingerprint: 'fp-1',
    now: new Date(now),
    graceSeconds: 86400,
    lastSeenAt: lastSeen.read(),
  });
  if (checked.valid) lastSeen.write(checked.lastSeenAt);
  const setBack = await verifyLicenseFile(file, keys, { now: new Date('2026-11-23T00:00:00.000Z'), lastSeenAt: lastSeen.read() });
  const request = JSON.parse(
    Buffer.from(createOfflineActivationRequest({ licenseKey: 'K', fingerprint: machineFingerprint() }), 'base64').toString(),
  );
  console.log(JSON.stringify({
    resolved: [${resolve}('@charter/sdk'), ${resolve}('@charter/sdk/node')].map(String),
    checked: checked.valid ? [checked.inGrace, checked.graceRemainingSeconds] : checked.reason,
    lastSeen: lastSeen.read(),
    setBack: setBack.valid ? 'VALID' : setBack.reason,
    request: [request.v, request.licenseKey, /^[0-9a-f]{64}$/.test(request.fingerprint)],
    management: typeof createManagementClient({ baseUrl: 'https://licenses.example.com', apiKey: 'ck_x' }).GET,
  }));
})();
`;

const esm = script(
  `import { readFileSync } from 'node:fs';
import { createOfflineActivationRequest, verifyLicenseFile } from '@charter/sdk';
import { lastSeenFile, machineFingerprint } from '@charter/sdk/node';
import { createManagementClient } from '@charter/sdk/management';`,
  'import.meta.resolve',
);
const cjs = script(
  `const { readFileSync } = require('node:fs');
const { createOfflineActivationRequest, verifyLicenseFile } = require('@charter/sdk');
const { lastSeenFile, machineFingerprint } = require('@charter/sdk/node');
const { createManagementClient } = require('@charter/sdk/management');`,
  'require.resolve',
);

/** Written as .mts and as .cts: the same code checked against the ESM and the CommonJS declarations. */
const typed = `import {
  CharterClient,
  CharterError,
  type ErrorCode,
  type LicenseFileFailure,
  type LicenseFileVerification,
  verifyLicenseFile,
  verifyValidation,
} from '@charter/sdk';
import { type LastSeenFile, lastSeenFile, machineFingerprint } from '@charter/sdk/node';
import { createManagementClient, type Schemas } from '@charter/sdk/management';

export const check = async (file: string, store: LastSeenFile): Promise<string> => {
  const result: LicenseFileVerification = await verifyLicenseFile(file, { data: [] }, {
    fingerprint: machineFingerprint(),
    graceSeconds: 60,
    lastSeenAt: store.read(),
  });
  if (!result.valid) return result.reason;
  store.write(result.lastSeenAt);
  const left: number | null = result.graceRemainingSeconds;
  return \`\${result.payload.license.productCode} \${result.inGrace} \${left}\`;
};
export const store: LastSeenFile = lastSeenFile('last-seen');
export const code: ErrorCode | 'NETWORK_ERROR' = new CharterError('TIMEOUT', 'm', 0, null, true).code;
export const client = new CharterClient({ baseUrl: 'https://licenses.example.com', retry: { maxAttempts: 2 } });
export const trusted = async (nonce: string): Promise<boolean> =>
  verifyValidation(await client.validate({ fingerprint: machineFingerprint(), nonce }), { data: [] }, { nonce });
export const tampered: LicenseFileFailure = 'CLOCK_TAMPERED';
// @ts-expect-error: a reason outside LicenseFileFailure does not compile (the types are not any)
export const unknown: LicenseFileFailure = 'NOPE';
// @ts-expect-error: the public keys are required
void verifyLicenseFile('file');
export const management = createManagementClient({ baseUrl: 'https://licenses.example.com', apiKey: 'ck_x' });
export const licenseStatus = async (id: string): Promise<Schemas['License']['status'] | undefined> =>
  (await management.GET('/v1/licenses/{id}', { params: { path: { id } } })).data?.status;
// @ts-expect-error: a path the API does not have does not compile
void management.GET('/v1/licences');
`;

describe('npm pack', () => {
  let work: string;
  let scratch: string;
  let packed: string[];

  before(async () => {
    work = mkdtempSync(path.join(tmpdir(), 'charter-sdk-pack-'));
    const copy = path.join(work, 'sdk');
    cpSync(packageDir, copy, {
      recursive: true,
      filter: (source) => !['dist', 'node_modules'].includes(path.relative(packageDir, source)),
    });
    // The build's compiler and Node types, from this tree.
    symlinkSync(toolchain, path.join(copy, 'node_modules'), 'junction');
    const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', work], { cwd: copy, env });
    const [tarball] = JSON.parse(stdout.slice(stdout.indexOf('['))) as {
      filename: string;
      files: { path: string }[];
    }[];
    assert.ok(tarball);
    packed = tarball.files.map((entry) => entry.path).sort();

    scratch = path.join(work, 'scratch');
    mkdirSync(scratch);
    writeFileSync(path.join(scratch, 'package.json'), JSON.stringify({ name: 'scratch', private: true }));
    // --prefer-offline: its dependencies come from npm's cache, which `npm ci` filled, but a fresh machine's cache
    // holds their tarballs only, not the registry documents a range (^0.17.0) is resolved with.
    await run(
      'npm',
      ['install', path.join(work, tarball.filename), '--prefer-offline', '--no-audit', '--no-fund'],
      {
        cwd: scratch,
        env,
      },
    );
    const fixture = { file: fileFor(payload), keys, now: '2026-11-29T12:00:00.000Z' };
    writeFileSync(path.join(scratch, 'fixture.json'), JSON.stringify(fixture));
    writeFileSync(path.join(scratch, 'check.mjs'), esm);
    writeFileSync(path.join(scratch, 'check.cjs'), cjs);
    writeFileSync(path.join(scratch, 'check-esm.mts'), typed);
    writeFileSync(path.join(scratch, 'check-cjs.cts'), typed);
  });
  after(() => rmSync(work, { recursive: true, force: true }));

  it('packs both builds with their declarations, the README and package.json; no sources, tests or scripts', () => {
    for (const file of [
      'README.md',
      'package.json',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/node.js',
      'dist/node.d.ts',
      'dist/cjs/package.json',
      'dist/cjs/index.js',
      'dist/cjs/index.d.ts',
      'dist/cjs/node.js',
      'dist/cjs/node.d.ts',
    ])
      assert.ok(packed.includes(file), `${file} is packed`);
    assert.deepEqual(
      packed.filter((file) => !file.startsWith('dist/')),
      ['README.md', 'package.json'],
    );
  });

  for (const [format, file, build] of [
    ['ESM', 'check.mjs', /\/node_modules\/@charter\/sdk\/dist\/(index|node)\.js$/],
    ['CommonJS', 'check.cjs', /\/node_modules\/@charter\/sdk\/dist\/cjs\/(index|node)\.js$/],
  ] as const)
    it(`the installed tarball loads from ${format} (., ./node and ./management), verifies a license file in grace and catches a set-back clock`, async () => {
      const { stdout } = await run(process.execPath, [file], { cwd: scratch });
      const answer = JSON.parse(stdout) as { resolved: string[] };
      for (const resolved of answer.resolved) assert.match(resolved, build);
      assert.deepEqual(
        { ...answer, resolved: answer.resolved.map((resolved) => path.basename(resolved)) },
        {
          resolved: ['index.js', 'node.js'],
          checked: [true, 22 * 3600],
          lastSeen: '2026-11-29T12:00:00.000Z',
          setBack: 'CLOCK_TAMPERED',
          request: [1, 'K', true],
          management: 'function',
        },
      );
    });

  it('the installed types check under nodenext and strict, the ESM file against the ESM declarations and the CommonJS file against the CommonJS ones', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        tsc,
        '--module',
        'nodenext',
        '--moduleResolution',
        'nodenext',
        '--noEmit',
        '--strict',
        '--exactOptionalPropertyTypes',
        '--listFiles',
        'check-esm.mts',
        'check-cjs.cts',
      ],
      { cwd: scratch },
    ).catch((error: { stdout?: string }) => assert.fail(`tsc: ${error.stdout ?? String(error)}`));
    const installed = '/node_modules/@charter/sdk/';
    const declarations = stdout
      .split('\n')
      .filter((file) => file.includes(installed))
      .map((file) => file.slice(file.indexOf(installed) + installed.length));
    for (const file of ['dist/index.d.ts', 'dist/node.d.ts', 'dist/cjs/index.d.ts', 'dist/cjs/node.d.ts'])
      assert.ok(declarations.includes(file), `${file} is checked`);
  });
});
