// PostgreSQL for `npm run bench -- --pg`: 127.0.0.1:5432, database test (POSGATE_BENCH_PG_URL
// overrides), and a fresh schema per run that is dropped at the end.
import { randomBytes } from 'node:crypto';
import pg from 'pg';

export const BENCH_PG_URL = process.env.POSGATE_BENCH_PG_URL || 'postgres://postgres@127.0.0.1:5432/test';

/** The URL without its password, for printing. */
export function redactedUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password) parsed.password = '***';
  return parsed.toString();
}

/** The bench sends traffic only to 127.0.0.1: refuse any other database host. */
export function assertLoopbackDatabase(url: string): void {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    throw new Error('POSGATE_BENCH_PG_URL is not a URL (expected postgres://user[:password]@127.0.0.1:5432/database)');
  }
  if (host !== '127.0.0.1') throw new Error(`the PostgreSQL URL points at ${host || '(no host)'}, not 127.0.0.1; refusing to send load there`);
}

export function freshSchemaName(): string {
  return `b_${randomBytes(6).toString('hex')}`;
}

async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5000, statement_timeout: 30_000 });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Fails fast, with a clear message, when the server is not there. Returns its max_connections. */
export async function checkDatabase(url: string): Promise<number> {
  try {
    return await withClient(url, async (client) => Number((await client.query<{ max_connections: string }>('show max_connections')).rows[0]?.max_connections));
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`PostgreSQL is not reachable at ${redactedUrl(url)} (${reason}); start it there or set POSGATE_BENCH_PG_URL`);
  }
}

export async function dropSchema(url: string, schema: string): Promise<void> {
  if (!/^b_[0-9a-f]+$/.test(schema)) throw new Error(`refusing to drop schema ${schema}: not one the bench made`);
  await withClient(url, (client) => client.query(`drop schema if exists "${schema}" cascade`));
}
