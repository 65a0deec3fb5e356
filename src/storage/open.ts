import { join } from 'node:path';
import type { Persistence } from '../app/ports/persistence.js';
import type { Config } from '../config/config.js';
import { openPostgresStore } from './drivers/postgres.js';
import { openSqliteStore } from './drivers/sqlite.js';

/** The configured driver: PostgreSQL when DATABASE_URL is set, else SQLite in DATA_DIR. */
export function openDatabase(config: Config): Persistence {
  if (config.databaseUrl) {
    const { databaseUrl: url, databaseSchema: schema, databasePoolSize: poolSize, databaseConnectTimeoutMs: connectTimeoutMs, databaseQueryTimeoutMs: queryTimeoutMs } = config;
    return openPostgresStore({ url, schema, poolSize, connectTimeoutMs, queryTimeoutMs });
  }
  return openSqliteStore(join(config.dataDir, 'posgate.sqlite'));
}
