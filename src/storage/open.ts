import { existsSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
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

/** The server DATABASE_URL names, as `host:port`: never the user or password. */
export function databaseServer(url: string): string {
  try {
    const parsed = new URL(url.replace('@/', '@localhost/'));
    const host = parsed.searchParams.get('host') ?? (parsed.hostname || 'localhost');
    return `${host}:${parsed.searchParams.get('port') ?? (parsed.port || '5432')}`;
  } catch {
    return 'the server it names'; // loadConfig has refused a URL that does not parse
  }
}

/** The PostgreSQL server DATABASE_URL names did not answer (down, wrong host or port, refused the login). */
export class DatabaseUnreachable extends Error {
  constructor(url: string, cause: unknown) {
    let reason = cause instanceof Error ? cause.message : String(cause);
    try {
      // pg's messages name the user at most; should one ever carry the password, it is not printed
      const password = decodeURIComponent(new URL(url.replace('@/', '@localhost/')).password);
      if (password) reason = reason.split(password).join('***');
    } catch {
      // no password to hide
    }
    super(`cannot connect to the PostgreSQL server DATABASE_URL names (${databaseServer(url)}): ${reason || 'no answer'}`, { cause });
  }
}

/** Has SQLite's file at `file` been migrated by posgate (an empty or foreign file has not)? */
function sqliteHasPosgateTables(file: string): boolean {
  if (!existsSync(file)) return false;
  const database = new SqliteDatabase(file, { readonly: true, fileMustExist: true });
  try {
    database.pragma('busy_timeout = 5000');
    return database.prepare("select 1 from sqlite_master where type = 'table' and name = 'kysely_migration'").get() !== undefined;
  } finally {
    database.close();
  }
}

/**
 * Is there a posgate database where the configuration points? A CLI command that acts on existing
 * objects refuses to create one (run from another directory it would otherwise make a new database
 * the server does not know), and a start checks the secret key on it before migrating. On
 * PostgreSQL this is the first connection a process makes: a server that does not answer is
 * named here, as DATABASE_URL's host and port.
 */
export async function databaseExists(config: Config): Promise<boolean> {
  if (!config.databaseUrl) return sqliteHasPosgateTables(join(config.dataDir, 'posgate.sqlite'));
  const client = new pg.Client({ connectionString: config.databaseUrl, connectionTimeoutMillis: config.databaseConnectTimeoutMs });
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new DatabaseUnreachable(config.databaseUrl, error);
  }
  try {
    const table = config.databaseSchema ? `${config.databaseSchema}.kysely_migration` : 'kysely_migration';
    const { rows } = await client.query<{ found: string | null }>('select to_regclass($1)::text as found', [table]);
    return rows[0]?.found != null;
  } finally {
    await client.end();
  }
}
