// charter signing-keys rotate|list|retire: the server's Ed25519 keys, on the configured storage, no server needed.
// A running server signs with a rotated key within keyRingRefreshMs.
import { systemAuditContext } from '../access/audit/service.js';
import {
  createKeyRing,
  keyRingRefreshMs,
  retireSigningKey,
  rotateSigningKey,
  signingKeyList,
} from '../access/signing-keys/service.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../lib/clock.js';
import { createSealer, loadSecretKey } from '../lib/sealing.js';
import { type Command, configFileOption } from './command.js';
import { printJson, printRecord, printTable } from './output.js';
import { withStorage } from './storage.js';

const usage = [
  'Usage: charter signing-keys <rotate|list|retire> [options]',
  '',
  '  rotate        a new active key signs from now on; the previous one moves to verify_only',
  `                (running servers pick it up within ${keyRingRefreshMs / 1000} s)`,
  '  list          every key: kid, status, created',
  '  retire <kid>  a verify_only key stops verifying: what it signed is refused from now on',
  '',
  '  --json        print JSON',
].join('\n');

export const signingKeysCommand: Command = {
  summary: 'rotate, list or retire the Ed25519 signing keys',
  usage,
  positionals: true,
  options: { json: { type: 'boolean' } },
  run: async (parsed) => {
    const [action, kid] = parsed.positionals;
    const config = loadConfig(configFileOption(parsed));
    const json = parsed.values.json === true;
    return withStorage(config, async (db) => {
      const sealer = createSealer(loadSecretKey(config));
      const deps = {
        db,
        clock: systemClock,
        sealer,
        keyRing: createKeyRing({ db, clock: systemClock, sealer }),
      };
      const context = systemAuditContext('cli');
      switch (action) {
        case 'rotate': {
          const key = await rotateSigningKey(deps, context);
          if (json) printJson(key);
          else printRecord(key);
          return 0;
        }
        case 'list': {
          const keys = await signingKeyList(db.kysely);
          if (json) printJson({ data: keys });
          else printTable(keys, ['kid', 'status', 'algorithm', 'createdAt']);
          return 0;
        }
        case 'retire': {
          if (!kid) {
            process.stderr.write(`charter signing-keys retire: name the key (sk_…)\n\n${usage}\n`);
            return 2;
          }
          const key = await retireSigningKey(deps, context, kid);
          if (json) printJson(key);
          else printRecord(key);
          return 0;
        }
        default:
          process.stderr.write(`charter signing-keys: unknown action '${action ?? ''}'\n\n${usage}\n`);
          return 2;
      }
    });
  },
};
