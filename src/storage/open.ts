import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import type { Persistence } from '../app/ports/persistence.js';
import type { Config } from '../config/config.js';
import { openPostgresStore } from './drivers/postgres.js';
import { openSqliteStore } from './drivers/sqlite.js';

/** The configured driver: PostgreSQL when DATABASE_URL is set, else SQLite in DATA_DIR. */
export function openDatabase(config: Config): Persistence {
  if (config.databaseUrl) {
    const { databaseUrl: url, databaseSchema: schema, databasePoolSize: poolSize, databaseConnectTimeoutMs: connectTimeoutMs, databaseQueryTimeoutMs: queryTimeoutMs, databasePreparedStatements: preparedStatements } = config;
    return openPostgresStore({ url, schema, poolSize, connectTimeoutMs, queryTimeoutMs, preparedStatements });
  }
  return openSqliteStore(join(config.dataDir, 'posgate.sqlite'));
}

/** Where the data lives, for the banner and the CLI: never a user name or password. */
export function describeStorage(config: Config): string {
  if (!config.databaseUrl) return `sqlite, data dir ${config.dataDir}`;
  let where = 'postgres';
  try {
    const url = new URL(config.databaseUrl);
    where = `${url.hostname}${url.port ? `:${url.port}` : ''}${url.pathname.length > 1 ? url.pathname : ''}`;
  } catch {
    // validated as postgres://… already; an odd one is named without its parts
  }
  return `postgres, database ${where}, schema ${config.databaseSchema ?? '(the server\'s search_path)'}`;
}

/**
 * Is there a posgate database where the configuration points? A read-only command refuses to
 * create one (a CLI run from another directory would otherwise make an empty database).
 */
export async function databaseExists(config: Config): Promise<boolean> {
  if (!config.databaseUrl) return existsSync(join(config.dataDir, 'posgate.sqlite'));
  const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: config.databaseConnectTimeoutMs });
  await client.connect();
  try {
    const table = config.databaseSchema ? `${config.databaseSchema}.kysely_migration` : 'kysely_migration';
    const { rows } = await client.query<{ found: string | null }>('select to_regclass($1)::text as found', [table]);
    return rows[0]?.found != null;
  } finally {
    await client.end();
  }
}
