// Composition root: choose the driver, build the app and server, start and stop them.
import { pathToFileURL } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Clock } from './app/ports/clock.js';
import type { Connector } from './app/ports/connector.js';
import { StorageUnavailable } from './app/ports/persistence.js';
import { systemClock } from './system/clock.js';
import { ensureAdminToken, ensureDemoMerchant, type DemoCredentials } from './app/use-cases/bootstrap.js';
import { purgeIdempotencyKeys, runAutopay, sweepDue } from './app/use-cases/sweeps.js';
import { resumeChannelCommands } from './app/use-cases/channel-events.js';
import { DEFAULT_EXPIRY_SECONDS } from './app/use-cases/payment-requests.js';
import { loadConfig, type Config } from './config/config.js';
import { openApp } from './compose.js';
import type { App } from './app/context.js';
import { credentialIssuers, parseDialectSettings, secretlessWebhookFormats, webhookFormats, webhookRulesByFormat, type Dialect, type DialectContext } from './dialects/dialect.js';
import { DIALECTS } from './dialects/registry.js';
import { webPages } from './web/index.js';
import { dashboard } from './web/dashboard/index.js';
import { byFormat } from './delivery/formats.js';
import { webhookBacklog, type RenderDelivery } from './app/use-cases/deliveries.js';
import { createDeliveryWorker } from './delivery/worker.js';
import { buildServer } from './http/server.js';
import { createLogger } from './observability/logger.js';
import { createMetrics } from './observability/metrics.js';
import { lockDataDir } from './storage/data-dir-lock.js';
import { describeStorage } from './storage/open.js';

export interface Gateway {
  app: App;
  server: FastifyInstance;
  config: Config;
  logger: Logger;
  /** The demo merchant's credentials (test mode); null when POSGATE_DEMO is off (the default on PostgreSQL). */
  demoCredentials: DemoCredentials | null;
  /** The same, for callers that rely on a demo merchant: throws when there is none. */
  readonly demo: DemoCredentials;
  /** The address the server is bound to (known once listening). */
  readonly boundUrl: string | null;
  /**
   * Set only on the first start without POSGATE_ADMIN_TOKEN, once it listens: print it once. Made
   * only then, so that a start that never came up (its port taken) leaves no token nobody saw.
   */
  readonly generatedAdminToken: string | null;
  /** Where patrons and POS reach this gateway. */
  readonly url: string;
  listen(): Promise<string>;
  /** Runs the due background work once (expiry, auto-pay); the loop calls it every interval. */
  tick(): Promise<void>;
  close(): Promise<void>;
}

/**
 * How long a stop waits for the requests in flight to be answered (a channel command, a commit)
 * before it cuts their connections: well inside a process manager's stop timeout (systemd's 30 s).
 */
export const STOP_GRACE_MS = 10_000;

export interface GatewayOptions {
  clock?: Clock;
  logger?: Logger;
  /** The payment channel (default: the sandbox); tests pass one that declines or fails. */
  connector?: Connector;
  /** Start the background loop (default true). Tests drive `tick()` themselves. */
  background?: boolean;
  /** The API surfaces to serve (default: the registry's). */
  dialects?: readonly Dialect[];
}

/** Builds everything and runs migrations and first-start set-up; does not listen yet (listen() makes the admin token of a first start). */
export async function createGateway(config: Config, options: GatewayOptions = {}): Promise<Gateway> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? createLogger(config.logLevel);
  // every setting checked before anything touches the database
  const dialects = options.dialects ?? DIALECTS;
  const settings = parseDialectSettings(dialects, config.env);
  const { app, close: closeStore } = await openApp(config, clock, options.connector);
  const metrics = createMetrics({
    apis: dialects.map(({ name, prefix }) => ({ name, prefix })),
    webhookBacklog: () => webhookBacklog(app),
    pool: () => app.db.poolUse?.() ?? [],
  });
  app.onRetry = (reason) => metrics.observeTransactionRetry(reason);
  app.webhookFormats = webhookRulesByFormat(dialects);
  app.feed.subscribeAll((event) => metrics.observeEvents(event));
  // a production database gets no demo merchant (and no test keys) unless asked for
  const demoCredentials = config.demo ? (await ensureDemoMerchant(app, credentialIssuers(dialects))).credentials : null;

  let listeningUrl: string | null = null;
  let generatedAdminToken: string | null = null;
  const publicUrl = () => config.publicUrl ?? listeningUrl ?? `http://${config.host}:${config.port}`;
  const formats = webhookFormats(dialects);
  // background work (delivery, sweeps) on connections of its own where the database has them
  const backgroundApp: App = app.db.background ? { ...app, db: app.db.background } : app;
  const contextOf = (dialect: Dialect, on: App = app): DialectContext => ({
    app: on, adminToken: config.adminToken, dialects, webhookFormats: formats, secretlessWebhookFormats: secretlessWebhookFormats(dialects), settings: settings.get(dialect.name),
    get publicUrl() {
      return publicUrl();
    },
  });
  const secretParameters = dialects.flatMap((dialect) => dialect.secretParameters ?? []);
  const pages = { app, get publicUrl() { return publicUrl(); } };
  const prefixed = dialects.filter((dialect) => dialect.prefix).map(({ name, prefix, openapi }) => ({ name, prefix, openapi }));
  const server = await buildServer({ app, logger, metrics, secretParameters, publicUrl, prefixed, trustProxy: config.trustProxy, requestTimeoutMs: config.requestTimeoutMs }, [
    ...dialects.map((dialect) => (f: FastifyInstance) => dialect.mount(f, contextOf(dialect))),
    (f) => webPages(f, pages),
    (f) => dashboard(f, { app, sources: dialects.map((dialect) => dialect.name), get publicUrl() { return publicUrl(); } }),
  ]);

  // one renderer for every delivery: the format its target names, native when that API has none
  const renderers = Object.fromEntries(dialects.flatMap((dialect) => (dialect.webhook ? [[dialect.name, dialect.webhook(contextOf(dialect, backgroundApp))] as const] : [])));
  const delivery = createDeliveryWorker({
    app: backgroundApp,
    render: byFormat(renderers, renderers.native as RenderDelivery),
    timeoutMs: config.webhookTimeoutMs,
    selfFeeding: options.background !== false,
    onTickError: (error) => logFailure('webhook delivery')(error),
    onAttempt: (sent, result) => metrics.observeDelivery(result.statusCode, result.latencyMs, Date.now() - sent.createdAt),
    // the delivery and the error's message only: nothing a renderer holds (keys, secrets) is logged
    onRenderError: (failed, err) => logger.error({ deliveryId: failed.id, format: failed.format, error: err instanceof Error ? err.message : String(err) }, 'webhook delivery could not be rendered'),
  });

  // the dialects' own background work, run after the engine's sweeps
  const periodic = dialects.flatMap((dialect) => (dialect.periodic ? [dialect.periodic(contextOf(dialect, backgroundApp))] : []));
  let lastPurge = 0;
  let running: Promise<void> | null = null;
  const sweep = async () => {
    if (running) return running; // never overlap: a slow sweep delays the next, it does not double it
    running = (async () => {
      // each step on its own: one that fails (the database away, a request held) does not stop the others
      for (const step of [sweepDue, runAutopay, resumeChannelCommands]) await step(backgroundApp).catch(logFailure('background work'));
      for (const task of periodic) await task().catch(logFailure('background work'));
      if (clock.now() - lastPurge > 3600_000) {
        lastPurge = clock.now();
        await purgeIdempotencyKeys(backgroundApp);
      }
    })().finally(() => {
      running = null;
    });
    return running;
  };
  /** Sweeps, then delivers until nothing is due (bounded): what tests call instead of waiting. */
  const tick = async () => {
    await sweep();
    for (let round = 0; round < 100 && (await delivery.tick()) > 0; round++);
  };
  // the database away is a condition to report, not a bug with a stack: the next tick tries again
  const logFailure = (what: string) => (err: unknown) =>
    err instanceof StorageUnavailable ? logger.warn({ error: err.message }, `${what} waits for the database`) : logger.error({ err }, `${what} failed`);
  const background = options.background !== false;
  const timers = background
    ? [
        setInterval(() => sweep().catch(logFailure('background work')), config.backgroundIntervalMs),
        // deliveries run side by side: a slow receiver holds its own slot, never the next tick
        setInterval(() => delivery.tick().catch(logFailure('webhook delivery')), config.deliveryIntervalMs),
      ]
    : [];
  for (const timer of timers) timer.unref();
  // a commit in this process is delivered at once; other processes' commits within one delivery interval
  let wake: NodeJS.Immediate | null = null;
  const unsubscribe = background
    ? app.feed.subscribeAll(() => {
        wake ??= setImmediate(() => {
          wake = null;
          delivery.tick().catch(logFailure('webhook delivery'));
        });
      })
    : () => undefined;

  return {
    app, server, config, logger, demoCredentials,
    get generatedAdminToken() {
      return generatedAdminToken;
    },
    get demo() {
      if (!demoCredentials) throw new Error('this gateway has no demo merchant (POSGATE_DEMO=false, the default on PostgreSQL)');
      return demoCredentials;
    },
    get url() {
      return publicUrl();
    },
    get boundUrl() {
      return listeningUrl;
    },
    async listen() {
      const address = await server.listen({ port: config.port, host: config.host });
      listeningUrl = address.replace('[::1]', 'localhost');
      try {
        generatedAdminToken = await ensureAdminToken(app, config.adminToken);
      } catch (error) {
        // the database failed as the server came up: not left bound and serving, nobody's to close
        await server.close();
        throw error;
      }
      return publicUrl();
    },
    tick,
    async close() {
      for (const timer of timers) clearInterval(timer);
      unsubscribe();
      if (wake) clearImmediate(wake);
      // stop taking connections and answer the requests in flight (long-polls and streams end at
      // once), for up to STOP_GRACE_MS; then cut what is left. The store closes only after: a request
      // cut off mid-change would leave its Idempotency-Key and its channel command waiting for a lease
      const closed = server.close();
      // a connection whose answer was written raw (a stream, a page) has no Connection: close: it is
      // closed as soon as it is idle
      const idle = setInterval(() => server.server.closeIdleConnections(), 100);
      const grace = setTimeout(() => server.server.closeAllConnections(), STOP_GRACE_MS);
      await closed.finally(() => {
        clearInterval(idle);
        clearTimeout(grace);
      });
      await delivery.stop();
      await running;
      await closeStore();
    },
  };
}

function banner(gateway: Gateway): string {
  const url = gateway.url;
  const bound = gateway.boundUrl ?? url;
  const lines = [
    '',
    // where the socket is, not PUBLIC_URL: two processes behind one balancer print their own ports
    `posgate is listening on ${bound}  (storage: ${describeStorage(gateway.config)})`,
    ...(bound === url ? [] : [`  Public URL    ${url}  (PUBLIC_URL: the links below, payUrl)`]),
    `  API           ${url}/v1`,
    `  OpenAPI       ${url}/openapi.json   docs: ${url}/docs`,
    `  Health        ${url}/healthz  ${url}/readyz  metrics: ${url}/metrics`,
  ];
  const demo = gateway.demoCredentials;
  if (demo) {
    lines.push(
      `  Demo merchant ${demo.merchantId} (test mode), terminal ${demo.native.terminalId}`,
      `  Dashboard     ${url}/dashboard  (sign in as ${(demo.dashboard as { email?: string } | undefined)?.email ?? 'a user of posgate users create'})`,
      `  Credentials   npx posgate credentials --json`,
      // a payment request the POS does not finish in time ends as request_expired: say so up front
      `  Expiry        a payment request expires ${DEFAULT_EXPIRY_SECONDS} s after it is made unless it sets expiresInSeconds`,
    );
  } else {
    lines.push(
      '  Demo merchant none (POSGATE_DEMO=false; the default on PostgreSQL): posgate merchants create --name NAME',
      `  Dashboard     ${url}/dashboard  (sign in as a user of posgate users create)`,
    );
  }
  if (gateway.generatedAdminToken) {
    lines.push(`  Admin token   ${gateway.generatedAdminToken}`, '                (shown once: only its hash is kept; set POSGATE_ADMIN_TOKEN to choose your own)');
  }
  return lines.join('\n') + '\n';
}

/** `npm start` / `posgate start`: start, print where everything is, stop cleanly on a signal. */
export async function start(config: Config = loadConfig()): Promise<Gateway> {
  // SQLite serves one process: a second one on the same DATA_DIR refuses before it opens anything
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir);
  // listening for a stop before starting: a process manager's SIGTERM during start-up stops it too
  let gateway: Gateway | null = null;
  let stopping: Promise<void> | null = null;
  const stop = (signal: string) => {
    stopping ??= (async () => {
      gateway?.logger.info({ signal }, 'shutting down');
      try {
        await gateway?.close();
      } finally {
        unlock();
      }
      process.exit(0);
    })();
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
  try {
    gateway = await createGateway(config);
    await gateway.listen();
  } catch (error) {
    unlock();
    throw error;
  }
  if (stopping) return gateway; // a signal came while starting: the stop above closes it
  process.stdout.write(banner(gateway));
  return gateway;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  start().catch((error: unknown) => {
    process.stderr.write(`posgate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
