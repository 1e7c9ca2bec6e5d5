// Typed tables for Kysely. Column conventions (both dialects): text ids, integer epoch-ms timestamps,
// integer 0/1 booleans mapped in the stores, JSON as text parsed with Zod on read.

export interface CharterMetaTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface Schema {
  charter_meta: CharterMetaTable;
}
