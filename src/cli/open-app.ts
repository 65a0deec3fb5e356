// For CLI commands that act on the database directly: the gateway's App, without HTTP.
import type { Config } from '../config/config.js';
import { openApp, type OpenedApp } from '../compose.js';
import { databaseExists, describeStorage } from '../storage/open.js';

export interface AppUse {
  /**
   * The command may make the database where there is none (`migrate`). Every other command acts on
   * objects a database already holds, or reads: it refuses where there is no database rather than
   * make one (a CLI run from another directory would otherwise create a new database, and a demo
   * merchant and keys, that the running server does not know).
   */
  create?: boolean;
}

/** The refusal of a command where there is no posgate database, naming where it looked. */
function noDatabase(config: Config): Error {
  const hint = config.databaseUrl
    ? 'Run `posgate migrate` (or start the server) with this DATABASE_URL and DATABASE_SCHEMA first.'
    : 'Run this where the server runs, or set DATA_DIR to the data dir the server uses (its banner prints it); `posgate migrate` makes a new one.';
  return new Error(`No posgate database here (${describeStorage(config)}); nothing was created. ${hint}`);
}

/** Refuses a command where there is no posgate database. */
export async function requireDatabase(config: Config): Promise<void> {
  if (!(await databaseExists(config))) throw noDatabase(config);
}

/** Runs `work` against an opened App and always closes the store afterwards. */
export async function withApp<T>(config: Config, work: (opened: OpenedApp) => Promise<T>, use: AppUse = {}): Promise<T> {
  // asked once: openApp is told the answer rather than asking again (a second connection on PostgreSQL)
  const existing = await databaseExists(config);
  if (!existing && !use.create) throw noDatabase(config);
  const opened = await openApp(config, undefined, undefined, existing);
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
