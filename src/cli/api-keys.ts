// charter api-keys create|list|revoke: works directly on the configured storage, no server needed.
import { createApiKeySchema } from '../access/api-keys/schemas.js';
import { apiKeyPage, createApiKey, revokeApiKeyById } from '../access/api-keys/service.js';
import { systemAuditContext } from '../access/audit/service.js';
import { loadConfig } from '../config.js';
import { systemClock } from '../lib/clock.js';
import { createSealer, loadSecretKey } from '../lib/sealing.js';
import { referencedProductIds } from '../licensing/products/service.js';
import { type Command, configFileOption } from './command.js';
import { pages } from './input.js';
import { withStorage } from './storage.js';

const usage = [
  'Usage: charter api-keys <create|list|revoke> [options]',
  '',
  '  create --name <name> --scopes <s1,s2> [--read-only] [--require-signature] [--expires-at <ISO time>]',
  '         [--product-ids <id|code,…>]',
  '         prints the key once (and, with --require-signature, its signing secret on the next line)',
  '  list   [--revoked]',
  '  revoke <key id>',
].join('\n');

const commaList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : undefined;

export const apiKeysCommand: Command = {
  summary: 'create, list or revoke API keys',
  usage,
  positionals: true,
  options: {
    name: { type: 'string' },
    scopes: { type: 'string' },
    'read-only': { type: 'boolean' },
    'require-signature': { type: 'boolean' },
    'expires-at': { type: 'string' },
    'product-ids': { type: 'string' },
    revoked: { type: 'boolean' },
  },
  run: async (parsed) => {
    const [action, id] = parsed.positionals;
    const config = loadConfig(configFileOption(parsed));
    const values = parsed.values;
    return withStorage(config, async (db) => {
      const deps = {
        db,
        clock: systemClock,
        sealer: createSealer(loadSecretKey(config)),
        productIdsOf: referencedProductIds,
      };
      const context = systemAuditContext('cli');
      switch (action) {
        case 'create': {
          const input = createApiKeySchema.safeParse({
            name: values.name,
            scopes: commaList(values.scopes),
            readOnly: values['read-only'] === true,
            requireSignature: values['require-signature'] === true,
            ...(values['expires-at'] ? { expiresAt: values['expires-at'] } : {}),
            ...(values['product-ids'] ? { productIds: commaList(values['product-ids']) ?? [] } : {}),
          });
          if (!input.success) {
            const problems = input.error.issues.map(
              (issue) => `  --${String(issue.path[0] ?? '')}: ${issue.message}`,
            );
            process.stderr.write(
              `charter api-keys create: bad options\n${problems.join('\n')}\n\n${usage}\n`,
            );
            return 2;
          }
          const { apiKey, secret, signingSecret } = await createApiKey(deps, context, undefined, input.data);
          process.stdout.write(`${apiKey.id}\t${apiKey.name}\t${apiKey.scopes.join(',')}\n${secret}\n`);
          if (signingSecret) process.stdout.write(`${signingSecret}\n`);
          return 0;
        }
        case 'list': {
          const revoked = values.revoked === true ? true : undefined;
          for await (const keys of pages((cursor) =>
            apiKeyPage(db.kysely, { limit: 200, cursor, revoked }),
          )) {
            for (const key of keys) {
              const state = key.revokedAt
                ? 'revoked'
                : key.expiresAt && Date.parse(key.expiresAt) <= Date.now()
                  ? 'expired'
                  : 'active';
              process.stdout.write(
                `${key.id}\t${key.keyPrefix}…\t${state}\t${key.name}\t${key.scopes.join(',')}\n`,
              );
            }
          }
          return 0;
        }
        case 'revoke': {
          if (!id) {
            process.stderr.write(`charter api-keys revoke: name the key id\n\n${usage}\n`);
            return 2;
          }
          await revokeApiKeyById(deps, context, undefined, id);
          process.stdout.write(`revoked ${id}\n`);
          return 0;
        }
        default:
          process.stderr.write(`charter api-keys: unknown action '${action ?? ''}'\n\n${usage}\n`);
          return 2;
      }
    });
  },
};
