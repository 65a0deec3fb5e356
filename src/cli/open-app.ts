// For CLI commands that act on the database directly: the gateway's App, without HTTP.
import type { Config } from '../config/config.js';
import { openApp, type OpenedApp } from '../compose.js';
import { databaseExists, describeStorage } from '../storage/open.js';

export interface AppUse {
  /**
   * A command that only reads (lists, credentials, verify): it refuses to run where there is no
   * database rather than make an empty one (a CLI run from another directory would otherwise
   * create a new database whose keys the running server does not know).
   */
  read?: boolean;
}

/** Refuses a read command where there is no posgate database, naming where it looked. */
export async function requireDatabase(config: Config): Promise<void> {
  if (await databaseExists(config)) return;
  const hint = config.databaseUrl
    ? 'Run `posgate migrate` (or start the server) with this DATABASE_URL and DATABASE_SCHEMA first.'
    : 'Run this where the server runs, or set DATA_DIR to the data dir the server uses (its banner prints it).';
  throw new Error(`No posgate database here (${describeStorage(config)}); nothing was created. ${hint}`);
}

/** Runs `work` against an opened App and always closes the store afterwards. */
export async function withApp<T>(config: Config, work: (opened: OpenedApp) => Promise<T>, use: AppUse = {}): Promise<T> {
  if (use.read) await requireDatabase(config);
  const opened = await openApp(config);
  try {
    return await work(opened);
  } finally {
    await opened.close();
  }
}

/** Where patrons and POS reach the gateway: PUBLIC_URL, else http://HOST:PORT. */
export function baseUrlOf(config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.host.includes(':') && !config.host.startsWith('[') ? `[${config.host}]` : config.host;
  return `http://${host}:${config.port}`;
}
