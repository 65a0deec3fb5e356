// Several real posgate processes (`node --import tsx src/main.ts`) on one PostgreSQL schema, for the
// multi-process suites: each child has its own DATA_DIR and an ephemeral port, and all share the
// database, the admin token and the secret key, as a production deployment behind a load balancer.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { dropSchema, freshSchemaName, PG_URL } from '../postgres.js';

/** The repository root: children run `src/main.ts` from there. */
export const ROOT = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
export const CLUSTER_ADMIN_TOKEN = 'adm_cluster_token_0123456789abcdef';
const START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const BANNER = /posgate is listening on (http:\/\/\S+)/;

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface ApiOptions {
  /** Bearer token; default: the cluster's merchant secret key (null: none). */
  key?: string | null;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface Child {
  /** 0-based position in the cluster. */
  index: number;
  url: string;
  process: ChildProcess;
  dataDir: string;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code or signal once the process has ended. */
  exited: Promise<number | string | null>;
}

export interface NativeCredentials {
  merchantId: string;
  secretKey: string;
  terminalKey: string;
  terminalId: string;
}

export interface Cluster {
  schema: string;
  /** The environment every child shares (database, schema, admin token, secret key, …). */
  env: Record<string, string>;
  children: Child[];
  credentials: NativeCredentials;
  /** One HTTP call to the given child. */
  api<T = any>(child: number, method: string, path: string, options?: ApiOptions): Promise<ApiResponse<T>>;
  /** Reads or writes the cluster's schema directly. */
  query<T = any>(text: string, params?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** The environment of a child: only what we choose (never the test runner's own settings). */
export function childEnv(extra: Record<string, string>): Record<string, string> {
  const base: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SystemRoot']) {
    const value = process.env[name];
    if (value !== undefined) base[name] = value;
  }
  return { ...base, ...extra };
}

/** Spawns `node --import tsx <script>` from the repository root. */
export function spawnTsx(script: string, env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Collects a child's output; `waitFor` resolves with the first match of `pattern` on stdout, or rejects with its stderr. */
export function watchOutput(child: ChildProcess, what: string) {
  let out = '';
  let err = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
  const exited = new Promise<number | string | null>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode ?? child.signalCode);
    else child.once('exit', (code, signal) => done(code ?? signal));
  });
  function waitFor(pattern: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<RegExpMatchArray> {
    return new Promise((resolveMatch, reject) => {
      const check = () => {
        const match = out.match(pattern);
        if (match) finish(() => resolveMatch(match));
      };
      const fail = (why: string) => finish(() => reject(new Error(`${what} (pid ${child.pid}) ${why}\n--- stdout ---\n${out}\n--- stderr ---\n${err}`)));
      const timer = setTimeout(() => fail(`printed no ${pattern} within ${timeoutMs} ms`), timeoutMs);
      const onExit = (code: number | null, signal: string | null) => fail(`exited (${code ?? signal}) before printing ${pattern}`);
      function finish(then: () => void) {
        clearTimeout(timer);
        child.stdout?.off('data', check);
        child.off('exit', onExit);
        then();
      }
      child.stdout?.on('data', check);
      child.once('exit', onExit);
      check();
    });
  }
  return { waitFor, exited, stdout: () => out, stderr: () => err };
}

/** SIGTERM, then SIGKILL if it is still alive after the grace period. */
export async function stopChild(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  let timer: ReturnType<typeof setTimeout> | undefined;
  const killed = await Promise.race([
    exited.then(() => false),
    new Promise<boolean>((done) => (timer = setTimeout(() => done(true), STOP_GRACE_MS))),
  ]);
  clearTimeout(timer);
  if (killed) {
    child.kill('SIGKILL');
    await exited;
  }
}

async function startChild(index: number, env: Record<string, string>): Promise<Child> {
  const dataDir = mkdtempSync(join(tmpdir(), `posgate-mp-${index}-`));
  const child = spawnTsx('src/main.ts', childEnv({ ...env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir }));
  const output = watchOutput(child, `posgate process ${index + 1}`);
  try {
    const match = await output.waitFor(BANNER);
    return { index, url: match[1]!, process: child, dataDir, stdout: output.stdout, stderr: output.stderr, exited: output.exited };
  } catch (error) {
    child.kill('SIGKILL');
    await output.exited;
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function call<T = any>(url: string, method: string, path: string, options: ApiOptions & { defaultKey: string | null }): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  const key = options.key === undefined ? options.defaultKey : options.key;
  if (key !== null) headers.authorization = `Bearer ${key}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] = 'application/json';
  }
  const response = await fetch(url + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

/**
 * Starts `processes` posgate processes on a fresh schema: the first alone (it migrates and creates
 * the demo merchant), then the others together (they find both there). Native credentials of the
 * demo merchant are issued through the admin API.
 */
export async function startCluster(options: {
  processes: number;
  env?: Record<string, string>;
  /** Settings of one process alone (a slower channel on the one a test kills), over `env`. */
  envOf?: (index: number) => Record<string, string>;
  url?: string;
}): Promise<Cluster> {
  const schema = freshSchemaName();
  const url = options.url ?? PG_URL;
  const env: Record<string, string> = {
    DATABASE_URL: url,
    DATABASE_SCHEMA: schema,
    POSGATE_ADMIN_TOKEN: CLUSTER_ADMIN_TOKEN,
    POSGATE_SECRET_KEY: randomBytes(32).toString('hex'),
    LOG_LEVEL: 'warn',
    // the suites drive the demo merchant, which PostgreSQL gets only when asked for
    POSGATE_DEMO: 'true',
    // a few connections each: several suites share one PostgreSQL (max_connections) in a full run
    DATABASE_POOL_SIZE: '6',
    ...options.env,
  };
  const children: Child[] = [];
  const pool = new pg.Pool({ connectionString: url, max: 2, options: `-c search_path=${schema}` });
  pool.on('error', () => undefined);

  async function stop() {
    await Promise.all(children.map((c) => stopChild(c.process, c.exited)));
    for (const c of children) rmSync(c.dataDir, { recursive: true, force: true });
    await pool.end();
    await dropSchema(schema, url);
  }

  try {
    const envFor = (index: number) => ({ ...env, ...options.envOf?.(index) });
    children.push(await startChild(0, envFor(0)));
    const rest = await Promise.allSettled(Array.from({ length: options.processes - 1 }, (_, i) => startChild(i + 1, envFor(i + 1))));
    for (const r of rest) if (r.status === 'fulfilled') children.push(r.value);
    const failed = rest.find((r) => r.status === 'rejected');
    if (failed) throw failed.reason;
    children.sort((a, b) => a.index - b.index);

    const admin = (method: string, path: string, body?: unknown) => call(children[0]!.url, method, path, { defaultKey: CLUSTER_ADMIN_TOKEN, body });
    const merchants = await admin('GET', '/admin/v1/merchants');
    if (merchants.status !== 200) throw new Error(`GET /admin/v1/merchants: ${merchants.status} ${JSON.stringify(merchants.body)}`);
    const demo = merchants.body.data.find((m: any) => m.name === 'Demo merchant') ?? merchants.body.data[0];
    if (!demo) throw new Error('no demo merchant after the first start');
    const issued = await admin('POST', `/admin/v1/merchants/${demo.id}/credentials/native`, {});
    if (issued.status !== 201) throw new Error(`credentials: ${issued.status} ${JSON.stringify(issued.body)}`);
    const { secretKey, terminalKey, terminalId } = issued.body.native;
    const credentials: NativeCredentials = { merchantId: demo.id, secretKey, terminalKey, terminalId };

    return {
      schema, env, children, credentials, stop,
      api: (child, method, path, o = {}) => call(children[child]!.url, method, path, { ...o, defaultKey: secretKey }),
      async query(text, params) {
        return (await pool.query(text, params)).rows;
      },
    };
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
}
