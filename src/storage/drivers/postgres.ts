// PostgreSQL through pg: many posgate processes share one database. Same schema and Tx as
// SQLite; what differs lives here: the pool, BIGINT parsing, error codes, SKIP LOCKED.
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ConcurrentUpdate, StorageUnavailable, UniqueViolation, type Persistence, type Tx } from '../../app/ports/persistence.js';
import { KyselyTx } from '../kysely-tx.js';
import { wrappingReads } from './wrapping-reads.js';
import { pipeliningBegin, type CorkableClient } from './pipelined-begin.js';
import { holdingWrites } from './held-writes.js';
import { isHeldWriteFailure } from '../held-writes.js';
import { isStalePlan, preparingStatements } from './prepared-statements.js';
import { migrationProvider } from '../migrations/index.js';
import { ownSchemaDialect } from './postgres-introspector.js';
import type { Database } from '../schema.js';

const FEATURES = { skipLocked: true, singleWriter: false };
const INT8 = 20;

export interface PostgresOptions {
  url: string;
  /** Schema for every table (created on migrate); default: the server's search_path. */
  schema?: string | null;
  poolSize?: number;
  /**
   * How long to wait for a connection before the request fails with 503 (default 5 s): for a free
   * one of the pool, and then again for a new one to connect.
   */
  connectTimeoutMs?: number;
  /**
   * How long one statement may wait for its answer before the request fails with 503 (default
   * 10 s): a network that stalls (no bytes, no close) cannot hold a request longer. The connection
   * it ran on is closed, never reused. The server ends a transaction left idle this long, so that
   * rows a stalled client locked are not held.
   */
  queryTimeoutMs?: number;
  /** Prepare statements by name (default true; prepared-statements.ts); off behind a pooler that cannot keep them. */
  preparedStatements?: boolean;
}

export const DEFAULT_QUERY_TIMEOUT_MS = 10_000;

/** Unique violations name their index: our index names are the constraint names of the port. */
export function classifyPostgresUnique(error: unknown): string | null {
  const e = error as { code?: string; constraint?: string };
  return e?.code === '23505' ? (e.constraint ?? 'unique') : null;
}

/** Serialization failures and deadlocks mean "someone else got there first": retry the unit of work. */
function isConflict(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return code === '40001' || code === '40P01';
}

/**
 * The connection, not the statement, failed: the server is shutting down or starting (57P0x, the
 * 08 class), a socket error, or pg's own word that the connection ended or never came. Statement
 * errors (constraints, syntax) are not this: they are the caller's or a bug.
 */
const CONNECTION_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '53300']);
const CONNECTION_MESSAGES = /Connection terminated|not queryable|timeout exceeded when trying to connect|Query read timeout|Connection ended|write after end/i;
/** pg's word that a statement got no answer within query_timeout. */
const isQueryTimeout = (error: unknown) => (error as { message?: unknown })?.message === 'Query read timeout';

export function isConnectionLoss(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown };
  if (typeof e?.code === 'string' && (e.code.startsWith('57P') || e.code.startsWith('08') || CONNECTION_CODES.has(e.code))) return true;
  return typeof e?.message === 'string' && CONNECTION_MESSAGES.test(e.message);
}

function mapError(error: unknown): unknown {
  if (isConflict(error)) return new ConcurrentUpdate('transaction');
  // a held write's unique violation, reported by a later statement or the COMMIT (held-writes.ts)
  const constraint = isHeldWriteFailure(error) ? classifyPostgresUnique(error) : null;
  if (constraint) return new UniqueViolation(constraint);
  if (isConnectionLoss(error)) return new StorageUnavailable(error);
  return error;
}


/** Connections kept apart for background work (webhook delivery, sweeps): API load cannot starve it. */
export const BACKGROUND_POOL_SIZE = 3;

export function openPostgresStore(options: PostgresOptions): Persistence {
  const schema = options.schema ?? null;
  const queryTimeoutMs = options.queryTimeoutMs ?? DEFAULT_QUERY_TIMEOUT_MS;
  const serverOptions = [...(schema ? [`-c search_path=${schema}`] : []), `-c idle_in_transaction_session_timeout=${queryTimeoutMs}`];
  // BIGINT holds minor units and epoch milliseconds, all below 2^53: numbers, not strings
  const types = { getTypeParser: (oid: number, format?: string) => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) };
  // each pool by what it serves, for /metrics (poolUse)
  const pools = new Map<string, { pool: pg.Pool; max: number }>();
  const openPool = (max: number, name: string, prepare: boolean) => {
    const pool = new pg.Pool({
      connectionString: options.url,
      max,
      types,
      options: serverOptions.join(' '),
      // a database that does not answer fails the request (503) instead of holding it: neither a new
      // connection nor a statement waits longer than these
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
      query_timeout: queryTimeoutMs,
      keepAlive: true,
      // a statement is sent before the answer to the one before, if it comes first: only a
      // transaction's BEGIN and its first read do (pipelined-begin.ts). Pipeline mode also refuses
      // cursors (Kysely's streamQuery), which posgate does not use
      pipeline: true,
    });
    // A connection the server ends (a restart: 57P01) emits 'error' on its client. pg's pool listens
    // only while the client is idle; a client checked out by a transaction has no listener of its own,
    // and an unhandled 'error' event ends the process. The failure reaches the transaction through its
    // query; the pool drops the broken client on release and connects a new one on the next checkout.
    //
    // A statement that timed out leaves its client waiting for an answer that may still come: such a
    // client is closed at once, so that the pool drops it on release rather than hand it to the next
    // transaction (in pipeline mode pg destroys its socket itself; outside it, it did not).
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      const unprepared = client.query.bind(client) as (...args: unknown[]) => unknown;
      const query = pipeliningBegin(client as CorkableClient, holdingWrites(client as CorkableClient, prepare ? preparingStatements(unprepared) : unprepared));
      (client as { query: unknown }).query = (...args: unknown[]) => {
        const result = query(...args);
        if (result instanceof Promise) {
          result.catch((error: unknown) => {
            if (isQueryTimeout(error)) client.end().catch(() => undefined);
          });
        }
        return result;
      };
    });
    pool.on('error', () => undefined);
    pools.set(name, { pool, max });
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  };
  const on = (db: Kysely<Database>, maxConnections: number) => ({
    read: wrappingReads(new KyselyTx(db, classifyPostgresUnique, FEATURES), mapError),
    async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
      // a statement refused because a migration changed its table since it was prepared did not
      // run: the transaction runs again, on a connection that now prepares afresh (each refusal
      // resets one connection, so there are at most as many as the pool has)
      for (let stale = 0; ; stale++) {
        try {
          return await db.transaction().execute((trx) => work(new KyselyTx(trx, classifyPostgresUnique, FEATURES)));
        } catch (error) {
          if (isStalePlan(error) && stale <= maxConnections) continue;
          throw mapError(error);
        }
      }
    },
  });
  const requestPoolSize = options.poolSize ?? 10;
  const db = openPool(requestPoolSize, 'requests', options.preparedStatements !== false);
  // opened on first use: processes that never deliver (the CLI) never connect it
  let backgroundDb: Kysely<Database> | null = null;
  let background: Persistence | null = null;
  const store: Persistence = {
    driver: 'postgres',
    ...on(db, requestPoolSize),
    get background(): Persistence {
      // unprepared: its claims filter on a status given as a value, where a plan made for one
      // status (a generic plan, which PostgreSQL may choose for a prepared statement) could suit
      // another badly on a large table; they run a few times a second, parsing them costs little
      backgroundDb ??= openPool(BACKGROUND_POOL_SIZE, 'background', false);
      // migrating and closing stay the whole store's
      return (background ??= { driver: 'postgres', ...on(backgroundDb, BACKGROUND_POOL_SIZE), migrate: () => store.migrate(), close: () => store.close() });
    },
    async migrate() {
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
      // a pool of its own, without the statement timeouts of serving: a migration may wait for
      // another process's migration lock, and rebuild or check a large table, for longer than a
      // request may wait
      const migrating = new pg.Pool({ connectionString: options.url, max: 1, types, ...(schema ? { options: `-c search_path=${schema}` } : {}) });
      migrating.on('error', () => undefined);
      try {
        const migrator = new Migrator({
          // introspected within our schema only (see postgres-introspector.ts)
          db: new Kysely<unknown>({ dialect: ownSchemaDialect(migrating, schema) }),
          provider: migrationProvider({ autoIncrementType: 'bigserial', autoIncrement: (c) => c }),
          // Kysely looks for its own tables across all schemas unless told which one is ours
          ...(schema ? { migrationTableSchema: schema } : {}),
        });
        const { error } = await migrator.migrateToLatest();
        if (error) throw error;
      } finally {
        await migrating.end();
      }
    },
    async close() {
      await backgroundDb?.destroy();
      await db.destroy();
    },
    poolUse: () => [...pools].map(([name, { pool, max }]) => ({ name, max, total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount })),
  };
  return store;
}
