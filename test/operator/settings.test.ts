// What an operator's settings do to real processes (SQLite; no PostgreSQL needed): an empty variable
// is the same as an unset one; a malformed POSGATE_SECRET_KEY is refused before anything is made,
// and a wrong one before an existing database is migrated; a DATABASE_URL that does not parse, or
// names a server that is down, is named as DATABASE_URL (host and port, never the password);
// DATABASE_SCHEMA without DATABASE_URL and a PUBLIC_URL that is not http(s) are refused.
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseEnv, type Run } from '../cli/spawn-cli.js';
import { runToEnd } from './start.js';
import { freePort } from '../support/ports.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];
const posgate = (args: string[], env: NodeJS.ProcessEnv): Promise<Run> => runToEnd([...CLI, ...args], env);

/** A refusal: exit 1, nothing on stdout, one `posgate: …` line on stderr (returned). */
function refusal(run: Run, what: string): string {
  expect(run.code, `${what}: ${run.stderr}`).toBe(1);
  expect(run.stdout, what).toBe('');
  const lines = run.stderr.split('\n').filter((line) => line.length > 0);
  expect(lines, what).toHaveLength(1);
  return lines[0] as string;
}


describe('operator settings (real processes)', { timeout: 240_000 }, () => {
  let root: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'posgate-settings-'));
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('an empty variable is unset: PORT=, DATABASE_POOL_SIZE=, POSGATE_SECRET_KEY=, DATABASE_URL= take their defaults', async () => {
    const dataDir = join(root, 'empty-values');
    const empty = { PORT: '', HOST: '', SANDBOX_AUTOPAY_MS: '', DATABASE_POOL_SIZE: '', POSGATE_SECRET_KEY: '', DATABASE_URL: '', DATABASE_SCHEMA: '', PUBLIC_URL: '', POSGATE_SSE_POLL_MS: '' };
    const migrated = await posgate(['migrate'], { ...baseEnv(dataDir), ...empty });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain(`sqlite, data dir ${dataDir}`);
    expect(existsSync(join(dataDir, 'secret.key'))).toBe(true); // POSGATE_SECRET_KEY= is the key file, as unset
    const credentials = await posgate(['credentials', '--json'], { ...baseEnv(dataDir), ...empty });
    expect(credentials.code, credentials.stderr).toBe(0);
    expect((JSON.parse(credentials.stdout) as { baseUrl: string }).baseUrl).toBe('http://127.0.0.1:8080');
  });

  it('a malformed POSGATE_SECRET_KEY is refused before any database is made', async () => {
    const dataDir = join(root, 'malformed-key');
    const line = refusal(await posgate(['migrate'], { ...baseEnv(dataDir), POSGATE_SECRET_KEY: 'not-a-key' }), 'migrate');
    expect(line).toBe('posgate: invalid configuration: POSGATE_SECRET_KEY: POSGATE_SECRET_KEY must be 32 bytes, as 64 hex characters or base64');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a wrong POSGATE_SECRET_KEY is refused before an existing database is migrated: it stays as it was', async () => {
    const dataDir = join(root, 'behind');
    const made = await posgate(['migrate'], baseEnv(dataDir)); // with DATA_DIR/secret.key
    expect(made.code, made.stderr).toBe(0);
    // the database as the release before this one left it: without the last migration
    const file = join(dataDir, 'posgate.sqlite');
    const last = '0012-row-invariants';
    const migrations = () => {
      const db = new SqliteDatabase(file, { readonly: true });
      try {
        return (db.prepare('select name from kysely_migration order by name').all() as { name: string }[]).map((row) => row.name);
      } finally {
        db.close();
      }
    };
    const db = new SqliteDatabase(file);
    db.exec(`delete from kysely_migration where name = '${last}'`);
    db.close();
    const before = migrations();
    expect(before).not.toContain(last);

    const line = refusal(await posgate(['migrate'], { ...baseEnv(dataDir), POSGATE_SECRET_KEY: randomBytes(32).toString('hex') }), 'migrate with another key');
    expect(line).toMatch(/^posgate: POSGATE_SECRET_KEY does not open this database/);
    expect(migrations()).toEqual(before);

    const right = await posgate(['migrate'], baseEnv(dataDir));
    expect(right.code, right.stderr).toBe(0);
    expect(migrations()).toContain(last);
  });

  it('a DATABASE_URL that does not parse is named, without its password, before anything is made', async () => {
    const dataDir = join(root, 'bad-url');
    const env = { ...baseEnv(dataDir), DATABASE_URL: 'postgres://posgate:never-printed-pw@127.0.0.1:abc/test' };
    const runs = await Promise.all([['migrate'], ['start'], ['merchants', 'list']].map((args) => posgate(args, env)));
    for (const [i, run] of runs.entries()) {
      const line = refusal(run, String(i));
      expect(line).toMatch(/^posgate: invalid configuration: DATABASE_URL: DATABASE_URL is not a valid URL/);
      expect(line).not.toContain('never-printed-pw');
    }
    expect(existsSync(dataDir)).toBe(false);
  });

  it('a PostgreSQL server that does not answer is named as DATABASE_URL, host and port, never the password: start, migrate, verify, the lists', async () => {
    const port = await freePort();
    const dataDir = join(root, 'server-down');
    const env = { ...baseEnv(dataDir), DATABASE_URL: `postgres://posgate:never-printed-pw@127.0.0.1:${port}/test`, DATABASE_SCHEMA: 'posgate', POSGATE_SECRET_KEY: randomBytes(32).toString('hex'), HOST: '127.0.0.1', PORT: '0' };
    const commands = [['start'], ['migrate'], ['verify'], ['merchants', 'list'], ['keys', 'revoke', 'key_x']];
    const runs = await Promise.all(commands.map((args) => posgate(args, env)));
    for (const [i, run] of runs.entries()) {
      const line = refusal(run, commands[i]!.join(' '));
      expect(line).toBe(`posgate: cannot connect to the PostgreSQL server DATABASE_URL names (127.0.0.1:${port}): connect ECONNREFUSED 127.0.0.1:${port}`);
    }
  });

  it('DATABASE_SCHEMA without DATABASE_URL, and a PUBLIC_URL that is not http(s), are refused before anything is made', async () => {
    const dataDir = join(root, 'conflicts');
    const cases: [NodeJS.ProcessEnv, RegExp][] = [
      [{ DATABASE_SCHEMA: 'posgate' }, /^posgate: invalid configuration: DATABASE_SCHEMA needs DATABASE_URL/],
      [{ PUBLIC_URL: 'javascript:alert(1)//' }, /^posgate: invalid configuration: PUBLIC_URL: PUBLIC_URL must be an http:\/\/ or https:\/\/ URL/],
      [{ PUBLIC_URL: 'ftp://pay.example.com/' }, /^posgate: invalid configuration: PUBLIC_URL: /],
    ];
    const runs = await Promise.all(cases.map(([env]) => posgate(['migrate'], { ...baseEnv(dataDir), ...env })));
    for (const [i, run] of runs.entries()) expect(refusal(run, JSON.stringify(cases[i]![0]))).toMatch(cases[i]![1]);
    expect(existsSync(dataDir) ? readdirSync(dataDir) : []).toEqual([]);
  });
});
