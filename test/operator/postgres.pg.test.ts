// The operator's first hour on PostgreSQL: no demo merchant by default (a production database gets
// no test keys), the banner names the database and schema but no password, a read command refuses
// a schema with no posgate database in it (and creates none), and migrate checks the secret key:
// its format before the schema is made, and on an existing schema before it is migrated.
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv } from '../cli/spawn-cli.js';
import { dropSchema, freshSchemaName, PG_URL } from '../postgres.js';
import { runToEnd, startServer } from './start.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
/** The test server's URL with a password in it: the server may ignore it (trust), posgate must never print it. */
const WITH_PASSWORD = PG_URL.replace(/^(postgres(?:ql)?:\/\/)([^@:/]+)@/, '$1$2:never-printed-pw@');

async function schemaExists(schema: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return (await client.query('select 1 from information_schema.schemata where schema_name = $1', [schema])).rowCount === 1;
  } finally {
    await client.end();
  }
}

async function query(text: string, values: unknown[] = []): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    return await client.query(text, values);
  } finally {
    await client.end();
  }
}

describe('the operator\'s first hour on PostgreSQL', { timeout: 240_000 }, () => {
  const schema = freshSchemaName();
  const secretKey = randomBytes(32).toString('hex');
  let dataDir: string;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'posgate-pg-first-hour-'));
    env = { ...baseEnv(dataDir), DATABASE_URL: WITH_PASSWORD, DATABASE_SCHEMA: schema, POSGATE_SECRET_KEY: secretKey, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn' };
  });

  afterAll(async () => {
    await dropSchema(schema);
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a read command on a schema with no posgate database refuses and creates nothing', async () => {
    const run = await runToEnd([...CLI, 'merchants', 'list'], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^posgate: No posgate database here \(postgres, database [^,]+, schema t_[0-9a-f]+\)/);
    expect(run.stderr).not.toContain('never-printed-pw');
    expect(await schemaExists(schema)).toBe(false);
  });

  it('a malformed POSGATE_SECRET_KEY is refused before the schema is made', async () => {
    const run = await runToEnd([...CLI, 'migrate'], { ...env, POSGATE_SECRET_KEY: 'not-a-key' });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('posgate: invalid configuration: POSGATE_SECRET_KEY: POSGATE_SECRET_KEY must be 32 bytes, as 64 hex characters or base64\n');
    expect(await schemaExists(schema)).toBe(false);
  });

  it('start: no demo merchant by default; the banner names database and schema, never the password', async () => {
    const server = await startServer([...CLI, 'start'], env);
    try {
      const banner = server.stdout();
      expect(banner).toMatch(new RegExp(`storage: postgres, database [^,]+/[a-z_]+, schema ${schema}`));
      expect(banner).not.toContain('never-printed-pw');
      expect(banner).toMatch(/Demo merchant none \(POSGATE_DEMO=false/);
      expect(banner).not.toMatch(/sk_test_|tk_test_/);
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    }
    const merchants = await runToEnd([...CLI, 'merchants', 'list', '--json'], env);
    expect(merchants.code, merchants.stderr).toBe(0);
    expect(JSON.parse(merchants.stdout)).toEqual({ data: [] });
    const keys = await runToEnd([...CLI, 'keys', 'list', '--json'], env);
    expect(JSON.parse(keys.stdout)).toEqual({ data: [] });
  });

  it('migrate with another POSGATE_SECRET_KEY says the key does not open this database, and migrates nothing', async () => {
    // the schema as the release before this one left it: without the last migration
    const last = '0012-row-invariants';
    await query(`delete from "${schema}".kysely_migration where name = $1`, [last]);
    const migrated = async () => (await query(`select name from "${schema}".kysely_migration where name = $1`, [last])).rowCount === 1;
    const run = await runToEnd([...CLI, 'migrate'], { ...env, POSGATE_SECRET_KEY: randomBytes(32).toString('hex') });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^posgate: POSGATE_SECRET_KEY does not open this database/);
    expect(await migrated()).toBe(false);
    const right = await runToEnd([...CLI, 'migrate'], env);
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toContain(`schema ${schema}`);
    expect(await migrated()).toBe(true);
  });
});
