import { join } from 'node:path';
import type { StorePort } from '../app/ports/store.js';
import { ConfigError, type Config } from '../config/config.js';
import { openSqliteStore } from './drivers/sqlite.js';

/** The configured driver: SQLite in DATA_DIR unless DATABASE_URL names another database. */
export function openStore(config: Config): StorePort {
  if (config.databaseUrl) throw new ConfigError('DATABASE_URL is set, but this build has only the SQLite driver; unset it to use SQLite in DATA_DIR.');
  return openSqliteStore(join(config.dataDir, 'posgate.sqlite'));
}
