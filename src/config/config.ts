// The environment, parsed and validated once. Every setting has a zero-setup default.
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { z } from 'zod';

/**
 * A whole number written in decimal digits. Not z.coerce.number: it reads a blank value as 0 (and
 * takes 1e3 or 0x10), so `PORT= ` would listen on a random port instead of being refused.
 */
const wholeNumber = (min: number) => z.string().regex(/^\s*\d+\s*$/, 'expected a whole number (decimal digits)').transform(Number).pipe(z.number().int().min(min));
/** An integer environment variable with its default (a dialect declares its own settings with it). */
export const intFrom = (fallback: number, min = 0) => wholeNumber(min).default(fallback);
/** A true/false environment variable. */
export const flagFrom = (fallback: boolean) => z.enum(['true', 'false']).default(fallback ? 'true' : 'false').transform((v) => v === 'true');

/** An address, or a CIDR range (10.0.0.0/8, fd00::/8). */
function isAddressOrRange(entry: string): boolean {
  const [address = '', bits, ...rest] = entry.split('/');
  const version = isIP(address);
  if (version === 0 || rest.length > 0) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (version === 4 ? 32 : 128));
}

/**
 * TRUST_PROXY: the proxies' addresses and CIDR ranges, comma-separated. Not a number of hops: that
 * would believe whoever connects directly (Fastify refuses it for that reason).
 */
const TrustProxy = z.string().trim().min(1).transform((value, ctx) => {
  const entries = value.split(',').map((entry) => entry.trim());
  const wrong = entries.find((entry) => !isAddressOrRange(entry));
  if (wrong === undefined) return entries;
  ctx.addIssue({ code: 'custom', message: `TRUST_PROXY must be the proxies' addresses and CIDR ranges, comma-separated; "${wrong}" is neither` });
  return z.NEVER;
});

/**
 * Does pg read this as a connection URL? It parses it with WHATWG URL, also without a host
 * (`postgres://user@/db?host=/run/postgresql`, a Unix socket): a port that is not a number, or a
 * stray character, fails there, at the first connection, as a bare `Invalid URL`.
 */
function isConnectionUrl(value: string): boolean {
  const encoded = /\s|%(?![0-9a-f]{2})/i.test(value) ? encodeURI(value).replace(/%25(\d\d)/g, '%$1') : value;
  for (const candidate of [encoded, encoded.replace('@/', '@localhost/')]) {
    try {
      new URL(candidate);
      return true;
    } catch {
      // try the next reading
    }
  }
  return false;
}

export const SECRET_KEY_FORMAT = 'POSGATE_SECRET_KEY must be 32 bytes, as 64 hex characters or base64';

/** The 32 bytes of a key written as 64 hex characters or base64; null when it is neither. */
export function secretKeyBytes(text: string): Buffer | null {
  const trimmed = text.trim();
  if (/^[0-9a-f]{64}$/i.test(trimmed)) return Buffer.from(trimmed, 'hex');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(trimmed)) return null;
  const key = Buffer.from(trimmed, 'base64');
  return key.length === 32 ? key : null;
}

const Env = z.object({
  PORT: intFrom(8080, 0).pipe(z.number().max(65535)),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  // the messages never repeat the value: it holds the database password
  DATABASE_URL: z.string()
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .refine(isConnectionUrl, 'DATABASE_URL is not a valid URL: postgres://user:password@host:5432/database (a password with @, :, / or % in it is percent-encoded)')
    .optional(),
  DATABASE_SCHEMA: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'DATABASE_SCHEMA must be a lower-case SQL identifier').optional(),
  DATABASE_POOL_SIZE: intFrom(10, 1),
  DATABASE_CONNECT_TIMEOUT_MS: intFrom(5000, 100),
  DATABASE_QUERY_TIMEOUT_MS: intFrom(10_000, 100),
  DATABASE_PREPARED_STATEMENTS: flagFrom(true),
  BACKGROUND_LEASE_MS: intFrom(30_000, 100),
  DELIVERY_INTERVAL_MS: intFrom(250, 10),
  DELIVERY_LEASE_MS: intFrom(60_000, 1000),
  WEBHOOK_TIMEOUT_MS: wholeNumber(100).pipe(z.number().max(60_000)).optional(),
  // patrons' phones open it (payUrl): a web address, never javascript:, ftp: or file:
  PUBLIC_URL: z.url({ protocol: /^https?$/, message: 'PUBLIC_URL must be an http:// or https:// URL' }).optional(),
  TRUST_PROXY: TrustProxy.optional(),
  POSGATE_ADMIN_TOKEN: z.string().min(16, 'POSGATE_ADMIN_TOKEN must be at least 16 characters').optional(),
  POSGATE_SECRET_KEY: z.string().refine((text) => secretKeyBytes(text) !== null, SECRET_KEY_FORMAT).optional(),
  SANDBOX_AUTOPAY_MS: wholeNumber(0).optional(),
  SANDBOX_CHANNEL_DELAY_MS: intFrom(0, 0).pipe(z.number().max(60_000)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  IDEMPOTENCY_RETENTION_HOURS: intFrom(24, 1),
  AUTHORIZATION_TTL_SECONDS: intFrom(7 * 24 * 3600, 60),
  BACKGROUND_INTERVAL_MS: intFrom(1000, 10),
  REQUEST_TIMEOUT_MS: intFrom(30_000, 100),
  POSGATE_DEMO: z.enum(['true', 'false'], { message: 'POSGATE_DEMO must be true or false' }).optional(),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string | null;
  /** PostgreSQL schema to use (created if missing); default: the server's search_path. */
  databaseSchema: string | null;
  databasePoolSize: number;
  /** How long to wait for a PostgreSQL connection (a new one, or a free one of the pool) before the request fails with 503. */
  databaseConnectTimeoutMs: number;
  /** How long one PostgreSQL statement may go unanswered before the request fails with 503. */
  databaseQueryTimeoutMs: number;
  /** Prepare statements by name on PostgreSQL (off for a pooler that cannot keep them, e.g. PgBouncer in transaction mode before 1.21). */
  databasePreparedStatements: boolean;
  /** How long a process may hold background work before another takes it over. */
  backgroundLeaseMs: number;
  /** How often a process looks for webhook deliveries that fell due (its own commits go at once). */
  deliveryIntervalMs: number;
  /** How long a claimed webhook delivery is held before another process may retry it. */
  deliveryLeaseMs: number;
  /** How long one webhook attempt may take in all (connect, send, answer) before it fails; below deliveryLeaseMs. */
  webhookTimeoutMs: number;
  /** Where patrons and POS reach this gateway (payUrl, printed links). */
  publicUrl: string | null;
  /**
   * The proxies whose X-Forwarded-For (and -Proto, -Host) are believed: a request from one of
   * them counts as coming from the address it forwards for (sign-in limits, logs); null believes no
   * such header (anyone could write it).
   */
  trustProxy: string[] | null;
  /** How long a client may take to send one whole request (headers and body) before it is answered 408 and cut off. */
  requestTimeoutMs: number;
  adminToken: string | null;
  /** 32-byte key (base64 or hex) sealing secrets at rest; generated into DATA_DIR when absent. */
  secretKey: string | null;
  autopayMs: number | null;
  /** How long the sandbox channel takes to answer a command (0: at once): a slow channel to try timeouts and takeovers on. */
  sandboxChannelDelayMs: number;
  logLevel: string;
  idempotencyRetentionMs: number;
  authorizationTtlMs: number;
  backgroundIntervalMs: number;
  /**
   * Make (and print) a demo merchant with test keys on first start: POSGATE_DEMO, by default on
   * SQLite (the local sandbox) and off on PostgreSQL (a production database gets no test keys).
   */
  demo: boolean;
  /** The environment it was read from: each dialect reads and validates its own variables there. */
  env: Readonly<Record<string, string | undefined>>;
}

/** How long one webhook attempt may take by default (the Standard Webhooks norm). */
const DEFAULT_WEBHOOK_TIMEOUT_MS = 15_000;

export class ConfigError extends Error {}

/**
 * The environment as posgate reads it: a variable set to the empty string is unset, so its default
 * applies. That is what an env file's `PORT=`, `docker run -e PORT=` and systemd's `Environment=PORT=`
 * mean; read as a value it became 0 (a random port, auto-pay at once). One rule for every variable,
 * the dialects' own included (they read `Config.env`, this copy).
 */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const set: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) if (value !== undefined && value !== '') set[name] = value;
  return set;
}

export function loadConfig(raw: NodeJS.ProcessEnv = process.env): Config {
  const env = withoutEmpty(raw);
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(`invalid configuration: ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const e = parsed.data;
  // an attempt still on the wire when its lease runs out would be sent again by another process:
  // one set explicitly must fit in the lease; the default (15 s) shrinks to half a shorter lease
  if (e.WEBHOOK_TIMEOUT_MS !== undefined && e.WEBHOOK_TIMEOUT_MS >= e.DELIVERY_LEASE_MS) throw new ConfigError('invalid configuration: WEBHOOK_TIMEOUT_MS must be below DELIVERY_LEASE_MS');
  // without DATABASE_URL the data would go to SQLite in DATA_DIR, not to the schema asked for, and
  // a pool size or timeout set for PostgreSQL would be ignored without a word: the URL was forgotten
  const postgresOnly = Object.keys(env).filter((name) => name.startsWith('DATABASE_') && name !== 'DATABASE_URL' && name in Env.shape).sort();
  if (postgresOnly.length > 0 && e.DATABASE_URL === undefined) throw new ConfigError(`invalid configuration: ${postgresOnly.join(', ')} ${postgresOnly.length === 1 ? 'needs' : 'need'} DATABASE_URL (without it posgate uses SQLite in DATA_DIR)`);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir: resolve(e.DATA_DIR),
    databaseUrl: e.DATABASE_URL ?? null,
    databaseSchema: e.DATABASE_SCHEMA ?? null,
    databasePoolSize: e.DATABASE_POOL_SIZE,
    databaseConnectTimeoutMs: e.DATABASE_CONNECT_TIMEOUT_MS,
    databaseQueryTimeoutMs: e.DATABASE_QUERY_TIMEOUT_MS,
    databasePreparedStatements: e.DATABASE_PREPARED_STATEMENTS,
    backgroundLeaseMs: e.BACKGROUND_LEASE_MS,
    deliveryIntervalMs: e.DELIVERY_INTERVAL_MS,
    deliveryLeaseMs: e.DELIVERY_LEASE_MS,
    webhookTimeoutMs: e.WEBHOOK_TIMEOUT_MS ?? Math.min(DEFAULT_WEBHOOK_TIMEOUT_MS, Math.floor(e.DELIVERY_LEASE_MS / 2)),
    publicUrl: e.PUBLIC_URL?.replace(/\/$/, '') ?? null,
    trustProxy: e.TRUST_PROXY ?? null,
    requestTimeoutMs: e.REQUEST_TIMEOUT_MS,
    adminToken: e.POSGATE_ADMIN_TOKEN ?? null,
    secretKey: e.POSGATE_SECRET_KEY ?? null,
    autopayMs: e.SANDBOX_AUTOPAY_MS ?? null,
    sandboxChannelDelayMs: e.SANDBOX_CHANNEL_DELAY_MS,
    logLevel: e.LOG_LEVEL,
    idempotencyRetentionMs: e.IDEMPOTENCY_RETENTION_HOURS * 3600 * 1000,
    authorizationTtlMs: e.AUTHORIZATION_TTL_SECONDS * 1000,
    backgroundIntervalMs: e.BACKGROUND_INTERVAL_MS,
    demo: e.POSGATE_DEMO === undefined ? e.DATABASE_URL === undefined : e.POSGATE_DEMO === 'true',
    env: { ...env },
  };
}
