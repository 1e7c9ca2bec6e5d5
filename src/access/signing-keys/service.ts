// The server's Ed25519 signing keys: the newest active one signs (OAuth access tokens, signed validations,
// license files); active and verify_only keys verify; retired keys do neither. Private keys are sealed at rest
// and kept in memory once opened. Rotation makes a new active key and moves the old one to verify_only, so what
// it signed keeps verifying until an operator retires it.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { ConfigError } from '../../config.js';
import type { Database } from '../../db/connection.js';
import type { SigningKeysTable } from '../../db/schema.js';
import { type Executor, transaction } from '../../db/transaction.js';
import { AppError } from '../../errors/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import { SealError, type Sealer } from '../../lib/sealing.js';
import { type AuditContext, recordAudit } from '../audit/service.js';
import type { SigningKeyView } from './schemas.js';
import {
  demoteActiveKeys,
  findNewestActiveKey,
  findSigningKey,
  findSigningKeyForUpdate,
  insertSigningKey,
  listSigningKeys,
  lockSigningKeys,
  setSigningKeyStatus,
} from './store.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

/**
 * An Ed25519 signature made on libuv's thread pool (crypto.sign with a callback): the ≈ 50 µs it costs leave
 * the event loop free for other requests, and use another core when there is one. For the hot paths (signed
 * validations, license files).
 */
export const signOffThread = (key: SigningKey, data: Buffer): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    sign(null, data, key.privateKey, (error, signature) => (error ? reject(error) : resolve(signature)));
  });

export interface KeyRing {
  /** The key to sign with, made on first use when the database has none. */
  active(): Promise<SigningKey>;
  /** The public key of `kid` when it may still verify (active or verify_only), else undefined. */
  verifier(kid: string): Promise<KeyObject | undefined>;
  /** Drops what is cached, after a rotation or a retirement made by this process. */
  forget(): void;
}

/**
 * What a process keeps of the keys is read again after this long, so a rotation or retirement made by another
 * process (or the CLI) reaches it within this time.
 */
export const keyRingRefreshMs = 30_000;

interface SigningKeyDeps {
  db: Database;
  clock: Clock;
  sealer: Sealer;
}

const newKeyRow = ({ clock, sealer }: Omit<SigningKeyDeps, 'db'>): SigningKeysTable => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const now = clock.nowMs();
  return {
    id: newId('sk', now),
    algorithm: 'Ed25519',
    public_key: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
    private_key: sealer.seal(privateKey.export({ format: 'der', type: 'pkcs8' })),
    status: 'active',
    created_at: now,
    updated_at: now,
  };
};

export const createKeyRing = (deps: SigningKeyDeps): KeyRing => {
  const { db, clock, sealer } = deps;
  let current: { key: SigningKey; readAt: number } | undefined;
  const verifiers = new Map<string, { key: KeyObject | undefined; readAt: number }>();
  const fresh = (readAt: number) => clock.nowMs() - readAt < keyRingRefreshMs;

  const open = (row: { id: string; private_key: string }): SigningKey => ({
    kid: row.id,
    privateKey: createPrivateKey({ key: sealer.open(row.private_key), format: 'der', type: 'pkcs8' }),
  });

  const createFirst = () =>
    transaction(db, async (tx) => {
      await lockSigningKeys(tx, db.dialect);
      const existing = await findNewestActiveKey(tx);
      if (existing) return existing;
      const row = newKeyRow(deps);
      await insertSigningKey(tx, row);
      return row;
    });

  return {
    active: async () => {
      if (current && fresh(current.readAt)) return current.key;
      const row = (await findNewestActiveKey(db.kysely)) ?? (await createFirst());
      // The same key read again keeps its opened private key.
      const key = current?.key.kid === row.id ? current.key : open(row);
      current = { key, readAt: clock.nowMs() };
      return key;
    },
    verifier: async (kid) => {
      const cached = verifiers.get(kid);
      if (cached && fresh(cached.readAt)) return cached.key;
      const row = await findSigningKey(db.kysely, kid);
      const key =
        row && (row.status === 'active' || row.status === 'verify_only')
          ? createPublicKey({ key: Buffer.from(row.public_key, 'base64'), format: 'der', type: 'spki' })
          : undefined;
      // Unknown kids are not cached: anyone can present one.
      if (row) verifiers.set(kid, { key, readAt: clock.nowMs() });
      return key;
    },
    forget: () => {
      current = undefined;
      verifiers.clear();
    },
  };
};

export const toSigningKeyView = (row: SigningKeysTable): SigningKeyView => ({
  kid: row.id,
  algorithm: 'Ed25519',
  publicKey: row.public_key,
  status: row.status as SigningKeyView['status'],
  createdAt: new Date(row.created_at).toISOString(),
  updatedAt: new Date(row.updated_at).toISOString(),
});

export const signingKeyList = async (db: Executor): Promise<SigningKeyView[]> =>
  (await listSigningKeys(db)).map(toSigningKeyView);

export const getSigningKeyOrThrow = async (db: Executor, kid: string): Promise<SigningKeyView> => {
  const row = await findSigningKey(db, kid);
  if (!row) throw new AppError('NOT_FOUND', `No signing key ${kid}`);
  return toSigningKeyView(row);
};

/** A new active key; the keys active until now move to verify_only. */
export const rotateSigningKey = async (
  deps: SigningKeyDeps & { keyRing: KeyRing },
  context: AuditContext,
): Promise<SigningKeyView> => {
  const row = await transaction(deps.db, async (tx) => {
    await lockSigningKeys(tx, deps.db.dialect);
    const demoted = await demoteActiveKeys(tx, deps.clock.nowMs());
    const created = newKeyRow(deps);
    await insertSigningKey(tx, created);
    await recordAudit(tx, deps.clock, context, {
      action: 'signing_key.rotate',
      target: { type: 'signing_key', id: created.id },
      changes: { verifyOnly: [null, demoted] },
    });
    return created;
  });
  deps.keyRing.forget();
  return toSigningKeyView(row);
};

/** verify_only → retired: what the key signed stops verifying. The active key must be rotated out first. */
export const retireSigningKey = async (
  deps: SigningKeyDeps & { keyRing: KeyRing },
  context: AuditContext,
  kid: string,
): Promise<SigningKeyView> => {
  const row = await transaction(deps.db, async (tx) => {
    const found = await findSigningKeyForUpdate(tx, kid, deps.db.dialect);
    if (!found) throw new AppError('NOT_FOUND', `No signing key ${kid}`);
    if (found.status !== 'verify_only') {
      throw new AppError(
        'INVALID_TRANSITION',
        found.status === 'active'
          ? `Signing key ${kid} is the active key; rotate first, then retire it`
          : `Signing key ${kid} is already retired`,
        { currentStatus: found.status, attempted: 'retire' },
      );
    }
    const now = deps.clock.nowMs();
    await setSigningKeyStatus(tx, kid, 'retired', now);
    await recordAudit(tx, deps.clock, context, {
      action: 'signing_key.retire',
      target: { type: 'signing_key', id: kid },
      changes: { status: ['verify_only', 'retired'] },
    });
    return { ...found, status: 'retired', updated_at: now };
  });
  deps.keyRing.forget();
  return toSigningKeyView(row);
};

/**
 * At start, before anything is served: the secret key must open what this database holds. A missing key where
 * sealed values exist (another host made them: every host needs the same CHARTER_SECRET_KEY), or a key that does
 * not open them, stops start-up with a configuration error instead of a server that cannot sign.
 */
export const checkSecretKey = async (
  db: Database,
  key: { source: 'environment' | 'file' | 'none'; open: () => Sealer },
): Promise<void> => {
  const sample = await findNewestActiveKey(db.kysely);
  if (!sample) return;
  if (key.source === 'none') {
    throw new ConfigError(
      'CHARTER_SECRET_KEY: the database holds values sealed with a secret key, and this host has none (no CHARTER_SECRET_KEY, no secret.key in CHARTER_DATA_DIR); set CHARTER_SECRET_KEY to the key of the other hosts',
    );
  }
  try {
    key.open().open(sample.private_key);
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    throw new ConfigError(
      `CHARTER_SECRET_KEY: ${error.message}; every host of one database needs the same key (the ${key.source === 'environment' ? 'CHARTER_SECRET_KEY variable' : 'secret.key file'} here does not open signing key ${sample.id})`,
    );
  }
};
