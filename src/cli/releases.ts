// charter releases publish|list: a product's versions, on the configured storage, no server needed. Publishing
// is POST /v1/releases' own (createRelease): checked, audited; a later --published-at schedules it.
import { AppError } from '../errors/app-error.js';
import { channels, createReleaseSchema, type Release } from '../licensing/releases/schemas.js';
import { createRelease, releasePage } from '../licensing/releases/service.js';
import { resourceCommand } from './group.js';
import { all, cliSystemCaller as caller, drop, oneOf, parse, text, texts } from './input.js';

/** `<platform>:<sha256>:<size>:<url>`: the url last, as it holds colons itself. */
const parseFile = (file: string, index: number) => {
  const match = /^([^:]+):([^:]*):([^:]*):(.+)$/.exec(file);
  if (!match)
    throw new AppError('VALIDATION_ERROR', `--file ${file}: write <platform>:<sha256>:<size>:<url>`, {
      issues: [
        { path: ['files', String(index)], message: 'not <platform>:<sha256>:<size>:<url>', code: 'custom' },
      ],
    });
  const [, platform, sha256, size, url] = match;
  return { platform, sha256, size: /^\d+$/.test(size ?? '') ? Number(size) : size, url };
};

export const releasesCommand = resourceCommand({
  summary: 'publish or list releases of a product',
  usage: [
    `Usage: charter releases publish --product <id|code> --version <semver> [--channel ${channels.join('|')}]`,
    '                                [--published-at <ISO time>] [--notes <text>] [--file <platform>:<sha256>:<size>:<url>] …',
    `       charter releases list [--product <id|code>] [--channel ${channels.join('|')}]`,
    '',
    '  --file is repeated, once per platform. A --published-at in the future schedules the release.',
  ].join('\n'),
  options: {
    product: { type: 'string' },
    version: { type: 'string' },
    channel: { type: 'string' },
    'published-at': { type: 'string' },
    notes: { type: 'string' },
    file: { type: 'string', multiple: true },
  },
  actions: {
    publish: {
      run: ({ deps, values }) =>
        createRelease(
          deps,
          caller,
          parse(
            createReleaseSchema,
            drop({
              productId: text(values, 'product'),
              version: text(values, 'version'),
              channel: text(values, 'channel'),
              publishedAt: text(values, 'published-at'),
              notes: text(values, 'notes'),
              files: texts(values, 'file').map(parseFile),
            }),
          ),
        ),
    },
    list: {
      run: ({ deps, values }) => {
        const productId = text(values, 'product');
        const channel = oneOf(values, 'channel', channels);
        return all((cursor) => releasePage(deps, caller, { limit: 200, cursor, productId, channel }));
      },
      columns: ['id', 'productId', 'version', 'channel', 'publishedAt', 'platforms'],
      row: (release: Release) => ({
        ...release,
        platforms: release.files.map((file) => file.platform).join(','),
      }),
    },
  },
});
