// charter verify <file>: whether a license file is genuine, and what it grants. Keys from --public-key (a file:
// GET /v1/public-keys JSON, or a PEM or base64 SPKI key), --server (its /v1/public-keys), or else the configured
// storage's own keys.
import { readFileSync } from 'node:fs';
import { signingKeyList } from '../access/signing-keys/service.js';
import { loadConfig } from '../config.js';
import { AppError } from '../errors/app-error.js';
import {
  checkLicenseFile,
  parseVerifyingKeys,
  type VerifyingKey,
} from '../licensing/license-files/verify.js';
import { type Command, configFileOption } from './command.js';
import { printJson, printRecord } from './output.js';
import { withStorage } from './storage.js';

const usage = [
  'Usage: charter verify <license file> [--public-key <file> | --server <url>] [--fingerprint <fp>] [--json]',
  '',
  '  --public-key <file>  the keys: GET /v1/public-keys JSON, or one PEM or base64 SPKI Ed25519 public key',
  '  --server <url>       fetch the keys from this Charter server',
  '                       (neither: the keys of the configured storage)',
  '  --fingerprint <fp>   the file must be bound to this machine',
  '',
  'Exit code 0 when the file is genuine, bound as asked and not expired; 1 otherwise.',
].join('\n');

const keysFromServer = async (url: string): Promise<VerifyingKey[]> => {
  const response = await fetch(new URL('/v1/public-keys', url));
  if (!response.ok)
    throw new AppError('UPSTREAM_ERROR', `${url} answered ${response.status} for its public keys`);
  return parseVerifyingKeys(await response.text());
};

export const verifyCommand: Command = {
  summary: 'check that a license file is genuine, and show what it grants',
  usage,
  positionals: true,
  options: {
    'public-key': { type: 'string' },
    server: { type: 'string' },
    fingerprint: { type: 'string' },
    json: { type: 'boolean' },
  },
  run: async (parsed) => {
    const [path] = parsed.positionals;
    if (!path) {
      process.stderr.write(`charter verify: name the license file\n\n${usage}\n`);
      return 2;
    }
    const values = parsed.values;
    const file = readFileSync(path, 'utf8');
    const keys =
      typeof values['public-key'] === 'string'
        ? parseVerifyingKeys(readFileSync(values['public-key'], 'utf8'))
        : typeof values.server === 'string'
          ? await keysFromServer(values.server)
          : await withStorage(loadConfig(configFileOption(parsed)), async (db) =>
              parseVerifyingKeys(JSON.stringify({ data: await signingKeyList(db.kysely) })),
            );
    const fingerprint = typeof values.fingerprint === 'string' ? values.fingerprint : undefined;
    const check = checkLicenseFile(file, keys, { fingerprint, nowMs: Date.now() });
    const ok = check.genuine && check.problem === null;
    if (values.json === true) {
      printJson({ ok, ...check });
    } else if (!check.genuine) {
      process.stdout.write(`NOT GENUINE: ${check.problem}\n`);
    } else {
      const { license, machine, issuedAt, expiresAt } = check.payload;
      process.stdout.write(`${ok ? 'GENUINE' : `GENUINE but ${check.problem}`} (signed by ${check.kid})\n\n`);
      printRecord({
        license: license.id,
        key: license.key ?? '(not in the file: issued to a license user)',
        status: license.status,
        product: license.productCode,
        ...(license.products ? { covers: license.products.join(', ') } : {}),
        policy: license.policy,
        features: license.features,
        licenseStarts: license.startsAt,
        licenseExpires: license.expiresAt ?? 'never',
        machine: machine
          ? `${machine.id} (${machine.fingerprint})${machine.offline ? ', offline' : ''}`
          : null,
        fileIssued: issuedAt,
        fileExpires: expiresAt,
      });
    }
    return ok ? 0 : 1;
  },
};
