// For CLI commands that act on the database directly: the gateway's App, without HTTP.
import type { Config } from '../config/config.js';
import { openApp, type OpenedApp } from '../compose.js';

/** Runs `work` against an opened App and always closes the store afterwards. */
export async function withApp<T>(config: Config, work: (opened: OpenedApp) => Promise<T>): Promise<T> {
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
