// Statements of the hot paths, built with Kysely's builder once per dialect and then run with fresh parameters:
// building and compiling a query costs 15–20 µs, often more than running it. The builder runs once with a marker
// in place of each named parameter; the compiled statement's parameter list says where each one goes.
import { type Compilable, CompiledQuery } from 'kysely';
import { preparedOnPostgres } from './connection.js';
import type { Executor } from './transaction.js';

const marker = (name: string) => `\u0000prepared:${name}`;

interface Statement<Params> {
  sql: string;
  slots: ((params: Params) => unknown)[];
}

export const prepared = <Params extends object, Result = unknown>(
  names: readonly (keyof Params & string)[],
  build: (db: Executor, params: Params) => Compilable<Result>,
) => {
  // Keyed by the dialect's adapter: one per Kysely instance, shared by its transactions. (getExecutor is marked
  // internal in Kysely's types but is how plugins reach the executor.)
  const compiled = new WeakMap<object, Statement<Params>>();
  const compile = (db: Executor): Statement<Params> => {
    const key = db.getExecutor().adapter;
    let statement = compiled.get(key);
    if (!statement) {
      const markers = Object.fromEntries(names.map((name) => [name, marker(name)])) as unknown as Params;
      const query = build(db, markers).compile();
      const byMarker = new Map(names.map((name) => [marker(name), name]));
      statement = {
        sql: query.sql,
        // A parameter that is no marker is a constant of the statement (a literal the builder bound).
        slots: query.parameters.map((value) => {
          const name = typeof value === 'string' ? byMarker.get(value) : undefined;
          return name === undefined ? () => value : (params: Params) => params[name];
        }),
      };
      // On PostgreSQL the hot statements are also prepared on each connection (connection.ts).
      preparedOnPostgres(statement.sql);
      compiled.set(key, statement);
    }
    return statement;
  };
  /** Runs the statement on `db` (the database or an open transaction). */
  return async (db: Executor, params: Params): Promise<Result[]> => {
    const statement = compile(db);
    const query = CompiledQuery.raw(
      statement.sql,
      statement.slots.map((slot) => slot(params)),
    );
    return (await db.executeQuery<Result>(query)).rows;
  };
};
