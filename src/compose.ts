// The App assembled from configuration: the one place ports get their implementations.
// The gateway (main.ts) and the CLI both start from here.
import { randomUUID } from 'node:crypto';
import { DEFAULT_APP_CONFIG, type App } from './app/context.js';
import { createChangeFeed } from './system/change-feed.js';
import type { Clock } from './app/ports/clock.js';
import type { Connector } from './app/ports/connector.js';
import { systemClock } from './system/clock.js';
import { createIds } from './system/ids.js';
import { aesGcmSecretBox } from './system/secret-box.js';
import { ConfigError, type Config } from './config/config.js';
import { loadSecretKey } from './config/secret-key.js';
import { secretKeyOpensDatabase, storedKeyCheckOpens } from './app/use-cases/bootstrap.js';
import { createSandboxConnector } from './connectors/sandbox/connector.js';
import { createOutboundGuard } from './delivery/outbound-guard.js';
import { databaseExists, openDatabase } from './storage/open.js';

export interface OpenedApp {
  app: App;
  close(): Promise<void>;
}

/**
 * Opens and migrates the configured store and builds the App around it. The secret key is checked
 * on an existing database before it is migrated, so a wrong key leaves the database as it was.
 */
export async function openApp(config: Config, clock: Clock = systemClock, connector: Connector = createSandboxConnector({ delayMs: config.sandboxChannelDelayMs }), known?: boolean): Promise<OpenedApp> {
  // whether the database exists (`known`: the caller asked already), asked before opening (opening a
  // SQLite store creates its file); on PostgreSQL it is the first connection, and a server that does
  // not answer is named by DATABASE_URL's host and port
  const existing = known ?? (await databaseExists(config));
  const box = aesGcmSecretBox(loadSecretKey(config.secretKey, config.dataDir));
  const db = openDatabase(config);
  try {
    const app: App = {
      db, clock, box, outbound: createOutboundGuard(), feed: createChangeFeed(), ids: createIds(() => clock.now()), connector,
      config: {
        ...DEFAULT_APP_CONFIG,
        authorizationTtlMs: config.authorizationTtlMs,
        idempotencyRetentionMs: config.idempotencyRetentionMs,
        autopayMs: config.autopayMs,
        leaseMs: config.backgroundLeaseMs,
        deliveryLeaseMs: config.deliveryLeaseMs,
        workerId: `wrk_${process.pid}_${randomUUID().slice(0, 8)}`,
      },
    };
    if (existing && !(await storedKeyCheckOpens(app))) throw new ConfigError(wrongKey(config));
    await db.migrate();
    if (!(await secretKeyOpensDatabase(app))) throw new ConfigError(wrongKey(config));
    return { app, close: () => db.close() };
  } catch (error) {
    await db.close().catch(() => undefined);
    throw error;
  }
}

/** Names the variable (or file) the key came from: what the operator has to change. */
function wrongKey(config: Config): string {
  const source = config.secretKey ? 'POSGATE_SECRET_KEY' : `the key in ${config.dataDir}/secret.key (POSGATE_SECRET_KEY is not set)`;
  return `${source} does not open this database: it was set up with another key. Set POSGATE_SECRET_KEY to the key this database was made with (the one its other processes and backups use).`;
}
