// PostgreSQL through pg: many posgate processes share one database. Same schema and Tx as
// SQLite; what differs lives here: the pool, BIGINT parsing, error codes, SKIP LOCKED.
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { ConcurrentUpdate, type StorePort } from '../../app/ports/store.js';
import { KyselyTx } from '../kysely-tx.js';
import { migrationProvider } from '../migrations/index.js';
import { ownSchemaDialect } from './postgres-introspector.js';
import type { Database } from '../schema.js';

const FEATURES = { skipLocked: true };
const INT8 = 20;

export interface PostgresOptions {
  url: string;
  /** Schema for every table (created on migrate); default: the server's search_path. */
  schema?: string | null;
  poolSize?: number;
}

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

export function openPostgresStore(options: PostgresOptions): StorePort {
  const schema = options.schema ?? null;
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    // BIGINT holds minor units and epoch milliseconds, all below 2^53: numbers, not strings
    types: { getTypeParser: (oid: number, format?: string) => (oid === INT8 ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as 'text')) },
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // an idle client's error (server restart) must not crash the process; the next query reconnects
  pool.on('error', () => undefined);
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    driver: 'postgres',
    read: new KyselyTx(db, classifyPostgresUnique, FEATURES),
    async transaction(work) {
      try {
        return await db.transaction().execute((trx) => work(new KyselyTx(trx, classifyPostgresUnique, FEATURES)));
      } catch (error) {
        if (isConflict(error)) throw new ConcurrentUpdate('transaction');
        throw error;
      }
    },
    async migrate() {
      if (schema) await sql`create schema if not exists ${sql.id(schema)}`.execute(db);
      const migrator = new Migrator({
        // the same pool, introspected within our schema only (see postgres-introspector.ts); no
        // destroy of its own: the pool ends with `db`
        db: new Kysely<unknown>({ dialect: ownSchemaDialect(pool, schema) }),
        provider: migrationProvider({ autoIncrementType: 'bigserial', autoIncrement: (c) => c }),
        // Kysely looks for its own tables across all schemas unless told which one is ours
        ...(schema ? { migrationTableSchema: schema } : {}),
      });
      const { error } = await migrator.migrateToLatest();
      if (error) throw error;
    },
    close: () => db.destroy(),
  };
}
