// Shared test harness: a real gateway on an ephemeral port over a real SQLite file in a temp dir.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import type { Clock } from '../src/app/ports/clock.js';
import type { Connector } from '../src/app/ports/connector.js';
import { loadConfig } from '../src/config/config.js';
import type { Dialect } from '../src/dialects/dialect.js';
import { createGateway, type Gateway } from '../src/main.js';
import { createLogger } from '../src/observability/logger.js';
import { dropSchema, freshSchemaName, PG_URL } from './postgres.js';

export const ADMIN_TOKEN = 'adm_test_token_0123456789abcdef';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestGateway {
  gateway: Gateway;
  url: string;
  dataDir: string;
  secretKey: string;
  terminalKey: string;
  terminalId: string;
  /** Everything the gateway logged, for checks that secrets never reach a log. */
  logs: () => string;
  api<T = any>(method: string, path: string, options?: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> }): Promise<ApiResponse<T>>;
  /** Reads the gateway's database directly (whichever driver), for checks the API cannot make. */
  query<T = any>(sql: string): Promise<T[]>;
  close(): Promise<void>;
}

/** Which storage the end-to-end suites run on: the vitest project sets it (see vitest.config.ts). */
export const TEST_DRIVER = process.env.POSGATE_TEST_DRIVER === 'postgres' ? 'postgres' : 'sqlite';

export async function startGateway(options: { env?: Record<string, string>; clock?: Clock; connector?: Connector; dialects?: readonly Dialect[] } = {}): Promise<TestGateway> {
  const dataDir = mkdtempSync(join(tmpdir(), 'posgate-test-'));
  const schema = TEST_DRIVER === 'postgres' ? freshSchemaName() : null;
  const database = schema ? { DATABASE_URL: PG_URL, DATABASE_SCHEMA: schema } : {};
  let logged = '';
  const sink = new Writable({ write(chunk, _enc, done) { logged += chunk.toString(); done(); } });
  const config = loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', POSGATE_ADMIN_TOKEN: ADMIN_TOKEN, LOG_LEVEL: 'info', POSGATE_DEMO: 'true', ...database, ...options.env });
  const gateway = await createGateway(config, { clock: options.clock, connector: options.connector, dialects: options.dialects, logger: createLogger('info', sink), background: false });
  const url = await gateway.listen();
  const { secretKey, terminalKey, terminalId } = gateway.demo.native;

  async function api(method: string, path: string, o: { key?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...o.headers };
    const key = o.key === undefined ? secretKey : o.key;
    if (key !== null) headers.authorization = headers.authorization ?? `Bearer ${key}`;
    let body: string | undefined = o.rawBody;
    if (o.body !== undefined) body = JSON.stringify(o.body);
    if (body !== undefined && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    const response = await fetch(url + path, { method, headers, body });
    const text = await response.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : null; } catch { /* not JSON: keep the text */ }
    return { status: response.status, body: parsed as any, headers: response.headers };
  }

  async function query<T>(text: string): Promise<T[]> {
    if (!schema) {
      const db = new SqliteDatabase(join(dataDir, 'posgate.sqlite'), { readonly: true });
      try {
        return db.prepare(text).all() as T[];
      } finally {
        db.close();
      }
    }
    const client = new pg.Client({ connectionString: PG_URL, options: `-c search_path=${schema}` });
    await client.connect();
    try {
      return (await client.query(text)).rows as T[];
    } finally {
      await client.end();
    }
  }

  return {
    gateway, url, dataDir, secretKey, terminalKey, terminalId, api, query,
    logs: () => logged,
    async close() {
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
      if (schema) await dropSchema(schema);
    },
  };
}

/** Counts rows that any write would add to, so a test can assert that a refused request changed nothing. */
export async function snapshotCounts(t: TestGateway) {
  const read = t.gateway.app.db.read;
  const demo = t.gateway.demo;
  const requests = await read.listPaymentRequests({ merchantId: demo.merchantId, livemode: false }, { limit: 100 });
  const events = await read.listEvents({ merchantId: demo.merchantId, livemode: false }, { limit: 100 });
  const versions = requests.items.map((r) => `${r.id}@${r.version}`).sort().join(',');
  return { requests: requests.items.length, events: events.items.length, versions };
}

export const createBody = (t: TestGateway, extra: Record<string, unknown> = {}) => ({ amount: 1500, currency: 'NZD', terminalId: t.terminalId, ...extra });
