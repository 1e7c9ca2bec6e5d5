// An application's licensing with @charter/sdk: activate this machine once (online), keep the license file and
// the server's public keys beside the app, and from then on check the license offline at every start.
//
//   node examples/offline-check/main.mjs <server url> <license key> [state dir]
//
// Run it once with the server up; run it again with the network cut (or a closed port as the URL): it still
// starts, from the stored file, for the file's life and then a grace period (said aloud, never silent); a clock
// set back before the last time it ran is refused (CLOCK_TAMPERED). It imports the built SDK, which the
// repository's `npm install` builds (or `npm run build --prefix packages/sdk`).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CharterClient, CharterError, verifyLicenseFile } from '@charter/sdk';
import { lastSeenFile, machineFingerprint } from '@charter/sdk/node';

const [baseUrl, licenseKey, stateDir = path.join(process.cwd(), '.charter-example')] = process.argv.slice(2);
if (!baseUrl || !licenseKey) {
  console.error('usage: main.mjs <server url> <license key> [state dir]');
  process.exit(2);
}
mkdirSync(stateDir, { recursive: true });
const fileOf = (name) => path.join(stateDir, name);
const readOrNull = (name) => {
  try {
    return readFileSync(fileOf(name), 'utf8');
  } catch {
    return null;
  }
};

const fingerprint = machineFingerprint('offline-check-example');
const client = new CharterClient({ baseUrl, licenseKey, retry: { maxAttempts: 2, baseDelayMs: 100 } });

// Online when we can: activate (idempotent for this machine) and keep what the offline check needs.
let online = false;
try {
  const { licenseFile } = await client.activate({ fingerprint, hostname: 'example' });
  const keys = await (await fetch(new URL('/v1/public-keys', baseUrl))).json();
  writeFileSync(fileOf('license.txt'), licenseFile);
  writeFileSync(fileOf('public-keys.json'), JSON.stringify(keys));
  online = true;
  console.log('online: activated, license file stored');
} catch (error) {
  if (error instanceof CharterError && error.code !== 'NETWORK_ERROR') {
    console.error(`refused: ${error.code} (${error.message})`);
    process.exit(1);
  }
  console.log('offline: the server does not answer; using the stored license file');
}

const licenseFile = readOrNull('license.txt');
const keys = readOrNull('public-keys.json');
if (!licenseFile || !keys) {
  console.error('no stored license file: activate once while online');
  process.exit(1);
}
// Offline, three days of grace past the file's end. The last time seen guards against a clock set back; online,
// the server has just vouched for the license, so the record starts again from this clock (a clock that once ran
// ahead and was corrected recovers).
const lastSeen = lastSeenFile(fileOf('last-seen'));
const checked = await verifyLicenseFile(licenseFile, JSON.parse(keys), {
  fingerprint,
  graceSeconds: online ? 0 : 3 * 86_400,
  lastSeenAt: online ? undefined : lastSeen.read(),
});
if (!checked.valid) {
  console.error(`license file refused: ${checked.reason} (${checked.message})`);
  process.exit(1);
}
lastSeen.write(checked.lastSeenAt);
console.log(
  `licensed: ${checked.payload.license.productCode}, file valid until ${checked.payload.expiresAt}`,
);
if (checked.inGrace)
  console.warn(
    `in grace: the file expired; ${Math.floor(checked.graceRemainingSeconds / 3600)} h left to go online before ${checked.graceEndsAt}`,
  );
