// Queries compiled once and run many times. Building a Kysely query (immutable nodes, frozen at
// each step) and compiling it to SQL costs more than SQLite takes to run a small statement, and the
// hot path runs the same few shapes again and again: a create, a read, a delivery. So a hot query is
// built once with placeholders where its values go, compiled, and from then on only its parameters
// change. Nothing is cached but SQL text: every execution reads and writes the database.
import { createQueryId, type Compilable, type CompiledQuery, type InsertQueryBuilder, type InsertResult, type Kysely, type QueryResult } from 'kysely';
import type { Database } from './schema.js';
import { HELD_WRITE_MARK } from './held-writes.js';

/** Where the value of argument `index` goes; Kysely takes any object as a value and passes it on as a parameter. */
class Slot {
  constructor(readonly index: number) {}
}

/** What `build` gets for each argument: it stands where a value of any column's type may go. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a placeholder must fit any column's value type
export type Placeholder = any;

/** Compiled SQL differs by dialect: one cache per adapter (a database and its transactions share theirs). */
const caches = new WeakMap<object, Map<string, CompiledQuery>>();

function compile(db: Kysely<Database>, key: string, arity: number, build: (...slots: Placeholder[]) => Compilable<unknown>, held = false): CompiledQuery {
  const adapter = db.getExecutor().adapter;
  let cache = caches.get(adapter);
  if (!cache) caches.set(adapter, (cache = new Map()));
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = build(...Array.from({ length: arity }, (_, i) => new Slot(i))).compile();
    if (held) compiled = { ...compiled, sql: HELD_WRITE_MARK + compiled.sql };
    const used = new Set(compiled.parameters.filter((p): p is Slot => p instanceof Slot).map((p) => p.index));
    // a value the query does not use (or uses in a shape that inlines it) would silently go missing
    if (used.size !== arity) throw new Error(`compiled query ${key}: ${arity} arguments, ${used.size} used as parameters`);
    cache.set(key, compiled);
  }
  return compiled;
}

/**
 * Runs a compiled query on a connection that answers synchronously (better-sqlite3). Safe where
 * nothing holds the connection across an `await`: a transaction's own (its unit runs alone on the
 * writer), or the read-only connection (no transaction or stream is ever opened on it).
 */
export type RunAtOnce = (query: CompiledQuery, parameters: readonly unknown[]) => QueryResult<unknown>;

const atOnce = new WeakMap<Kysely<Database>, RunAtOnce>();

/**
 * Compiled queries of `db` run through `run` rather than Kysely's executor. The executor's
 * promises, connection lock and plugin hooks cost 4–8 µs a statement, against under 2 µs for the
 * whole of one of ours run this way; a synchronous driver needs none of them. No plugin sees these
 * queries: `run` does what the plugins of `db` would (kysely-tx.ts tells its WriteWatch). Queries
 * that are built and executed through Kysely still take its way, on the same connection.
 */
export function runCompiledAtOnce(db: Kysely<Database>, run: RunAtOnce): void {
  atOnce.set(db, run);
}

/**
 * Runs the query `build` makes, compiled on its first use under `key` (a name for this shape:
 * one key, one shape). `build` gets one placeholder per argument, in order, and must use each as a
 * value of the query; the placeholders are replaced by `args` at each run.
 */
export async function runCompiled<R>(db: Kysely<Database>, key: string, args: readonly unknown[], build: (...slots: Placeholder[]) => Compilable<R>, held = false): Promise<QueryResult<R>> {
  const compiled = compile(db, key, args.length, build, held);
  const parameters = compiled.parameters.map((p) => (p instanceof Slot ? args[p.index] : p));
  const run = atOnce.get(db);
  if (run) return run(compiled, parameters) as QueryResult<R>;
  // through Kysely, each run is a query of its own to the plugins, which see its node as they see a
  // built query's (storage/write-watch.ts counts a write by its kind, RETURNING or not)
  const queryId = createQueryId();
  db.getExecutor().transformQuery(compiled.query, queryId);
  return db.executeQuery<R>({ ...compiled, parameters, queryId } as CompiledQuery<R>);
}

/** The first row of a compiled query, or undefined. */
export async function firstCompiled<R>(db: Kysely<Database>, key: string, args: readonly unknown[], build: (...slots: Placeholder[]) => Compilable<R>): Promise<R | undefined> {
  return (await runCompiled(db, key, args, build)).rows[0];
}

/** Rows changed by a compiled insert, update or delete. */
export const affected = (result: QueryResult<unknown>): number => Number(result.numAffectedRows ?? 0);

/**
 * Inserts `row` into `table` by a statement compiled once per set of columns (a column whose value
 * is undefined is left out, as Kysely leaves it out, so its default applies), as a held write
 * (held-writes.ts): its answer (one row inserted, a stand-in on PostgreSQL) may come before it has
 * run, and its failure with the transaction's next statement. Only for a row the unit does not
 * look at again and whose failure it does not handle. `finish` adds to the statement (an ON
 * CONFLICT), `suffix` names that in the key of its shape.
 */
export function insertHeldRow<T extends keyof Database & string>(db: Kysely<Database>, table: T, row: Record<string, unknown>, suffix = '', finish: (q: InsertQueryBuilder<Database, T, InsertResult>) => Compilable<unknown> = (q) => q): Promise<QueryResult<unknown>> {
  const columns = Object.keys(row).filter((c) => row[c] !== undefined);
  return runCompiled(db, `insert held ${table}${suffix} ${columns.join(',')}`, columns.map((c) => row[c]), (...slots) =>
    finish(db.insertInto(table).values(Object.fromEntries(columns.map((c, i) => [c, slots[i]])) as Placeholder)), true,
  );
}

/** The `set` part of an update compiled once per set of columns: the values come first among the arguments. */
export function setColumns(values: Record<string, unknown>): { columns: string[]; args: unknown[]; key: string; set: (slots: Placeholder[]) => Placeholder } {
  const columns = Object.keys(values).filter((c) => values[c] !== undefined);
  return { columns, args: columns.map((c) => values[c]), key: columns.join(','), set: (slots) => Object.fromEntries(columns.map((c, i) => [c, slots[i]])) };
}
