// 0028: device keys. A policy may require one (require_device_key); a machine activated with one keeps its Ed25519
// public key as SPKI PEM, the key's SHA-256 and, when a certificate carried it, the certificate's SHA-256. The
// machines of one fingerprint across licenses (device licenses, `GET /v1/machines?fingerprint=`) are found by an
// index. Both tables already feed the validation cache (0025). Frozen once landed.
import type { Kysely } from 'kysely';

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .alterTable('policies')
    .addColumn('require_device_key', 'integer', (column) => column.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('machines').addColumn('device_public_key', 'text').execute();
  await db.schema.alterTable('machines').addColumn('device_key_sha256', 'text').execute();
  await db.schema.alterTable('machines').addColumn('device_certificate_sha256', 'text').execute();
  await db.schema
    .createIndex('machines_fingerprint')
    .on('machines')
    .columns(['fingerprint', 'status'])
    .execute();
};
