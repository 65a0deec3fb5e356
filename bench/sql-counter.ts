// Counts the SQL statements and the durable COMMITs this process sends, on both drivers, by
// wrapping the drivers' own entry points (not posgate's): better-sqlite3's Statement methods and
// Database#exec, and pg's Client#query. The figures are exact and the same on every run, unlike a
// timing, so a change in the work per request shows as a number. Shared by the bench
// (bench/operations.ts) and the test that pins the counts (test/speed/statements.test.ts).
//
// COMMITs are recognised by their text, not by a counter of posgate's: under SQLite group commit
// several transactions share one COMMIT, and that is exactly what should show. Round trips to
// PostgreSQL are the statements sent while none of the same connection's was awaiting its answer:
// one pipelined behind another (a transaction's BEGIN and its first read) shares that one's.
import Database from 'better-sqlite3';
import pg from 'pg';

export interface SqlCount {
  /** Every statement sent to a database (BEGIN, COMMIT, SAVEPOINT included). */
  statements: number;
  /** COMMITs among them: each is one durable write (an fsync on SQLite, a WAL flush on PostgreSQL). */
  commits: number;
  /** Waits for PostgreSQL's answer (0 on SQLite, which answers in-process). */
  roundTrips: number;
}

/** A COMMIT (or its synonym END), also as one of several statements given to `exec`. */
const COMMIT = /(^|;)\s*(commit|end)\b/i;

const counts: SqlCount = { statements: 0, commits: 0, roundTrips: 0 };
const INSTALLED = Symbol.for('posgate.bench.sqlCounter');

/** The texts sent while recordSql runs its work. */
let recording: string[] | null = null;

function count(sql: unknown): void {
  counts.statements++;
  if (recording && typeof sql === 'string') recording.push(sql);
  if (typeof sql === 'string' && COMMIT.test(sql)) counts.commits++;
}

type Methods = Record<string, (...args: unknown[]) => unknown>;

function wrap(target: Methods, method: string, sqlOf: (self: any, args: unknown[]) => unknown): void {
  const original = target[method];
  if (typeof original !== 'function') throw new Error(`sql-counter: the driver has no ${method} method to wrap`);
  target[method] = function (this: unknown, ...args: unknown[]) {
    count(sqlOf(this, args));
    return original.apply(this, args);
  };
}

/**
 * Wraps the drivers' prototypes once per process (later calls are no-ops). Install it before the
 * gateway opens its database: every SQLite connection is counted, but a pg connection takes its
 * `query` as it was when it connected (postgres.ts wraps it then). It costs a function call per statement.
 */
export function installSqlCounter(): void {
  const globals = globalThis as Record<symbol, unknown>;
  if (globals[INSTALLED]) return;
  globals[INSTALLED] = true;
  // better-sqlite3: every prepared statement runs through these four (Kysely, the statement cache,
  // and better-sqlite3's own transaction helper, whose COMMIT is a prepared statement too)
  const probe = new Database(':memory:');
  const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1')) as Methods;
  probe.close();
  for (const method of ['run', 'get', 'all', 'iterate']) wrap(statementPrototype, method, (self) => (self as { source?: unknown }).source);
  wrap(Database.prototype as unknown as Methods, 'exec', (_self, args) => args[0]);
  // pg: text and values, or a config object with `text` (Kysely passes the text); a statement sent
  // while none of its connection's awaits an answer is a round trip of its own
  const awaiting = new WeakMap<object, number>();
  const query = (pg.Client.prototype as unknown as Methods).query!;
  (pg.Client.prototype as unknown as Methods).query = function (this: object, ...args: unknown[]) {
    const first = args[0] as { text?: unknown } | string | undefined;
    count(typeof first === 'string' ? first : first?.text);
    const waiting = awaiting.get(this) ?? 0;
    if (waiting === 0) counts.roundTrips++;
    awaiting.set(this, waiting + 1);
    const answered = () => awaiting.set(this, (awaiting.get(this) ?? 1) - 1);
    const result = query.apply(this, args);
    if (result instanceof Promise) result.then(answered, answered);
    else answered();
    return result;
  };
}

/** The totals since the counter was installed (a copy). */
export function sqlCount(): SqlCount {
  return { ...counts };
}

/** What `work` cost: the statements and COMMITs sent while it ran (nothing else must run meanwhile). */
export async function countSql<T>(work: () => Promise<T>): Promise<{ value: T; count: SqlCount }> {
  installSqlCounter();
  const before = sqlCount();
  const value = await work();
  return { value, count: { statements: counts.statements - before.statements, commits: counts.commits - before.commits, roundTrips: counts.roundTrips - before.roundTrips } };
}

/** The SQL texts `work` sent, in order (nothing else must run meanwhile). */
export async function recordSql<T>(work: () => Promise<T>): Promise<{ value: T; statements: string[] }> {
  installSqlCounter();
  const statements: string[] = [];
  recording = statements;
  try {
    return { value: await work(), statements };
  } finally {
    recording = null;
  }
}
