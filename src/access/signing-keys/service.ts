// The server's Ed25519 signing keys: the newest active one signs (OAuth access tokens now, license files
// later); any active or verify_only key verifies. Private keys are sealed at rest and kept in memory once opened.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { sql } from 'kysely';
import type { Database } from '../../db/connection.js';
import { transaction } from '../../db/transaction.js';
import type { Clock } from '../../lib/clock.js';
import { newId } from '../../lib/random.js';
import type { Sealer } from '../../lib/sealing.js';
import { findNewestActiveKey, findSigningKey, insertSigningKey } from './store.js';

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
}

export const createKeyRing = ({
  db,
  clock,
  sealer,
}: {
  db: Database;
  clock: Clock;
  sealer: Sealer;
}): KeyRing => {
  let current: SigningKey | undefined;
  const verifiers = new Map<string, KeyObject | undefined>();

  const open = (row: { id: string; private_key: string }): SigningKey => ({
    kid: row.id,
    privateKey: createPrivateKey({ key: sealer.open(row.private_key), format: 'der', type: 'pkcs8' }),
  });

  const createFirst = () =>
    transaction(db, async (tx) => {
      // Two processes starting together must not both make a key.
      if (db.dialect === 'postgres')
        await sql`select pg_advisory_xact_lock(hashtext('charter.signing_keys'))`.execute(tx);
      const existing = await findNewestActiveKey(tx);
      if (existing) return existing;
      const { publicKey, privateKey } = generateKeyPairSync('ed25519');
      const now = clock.nowMs();
      const row = {
        id: newId('sk', now),
        algorithm: 'Ed25519',
        public_key: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'),
        private_key: sealer.seal(privateKey.export({ format: 'der', type: 'pkcs8' })),
        status: 'active',
        created_at: now,
        updated_at: now,
      };
      await insertSigningKey(tx, row);
      return row;
    });

  return {
    active: async () => {
      if (current) return current;
      const row = (await findNewestActiveKey(db.kysely)) ?? (await createFirst());
      current = open(row);
      return current;
    },
    verifier: async (kid) => {
      if (verifiers.has(kid)) return verifiers.get(kid);
      const row = await findSigningKey(db.kysely, kid);
      const key =
        row && (row.status === 'active' || row.status === 'verify_only')
          ? createPublicKey({ key: Buffer.from(row.public_key, 'base64'), format: 'der', type: 'spki' })
          : undefined;
      if (key) verifiers.set(kid, key);
      return key;
    },
  };
};
