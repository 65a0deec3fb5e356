// The operator's first hour on SQLite, with real processes: a second server on one DATA_DIR refuses
// at once naming the first; the banner prints the bound address (not PUBLIC_URL); a wrong
// POSGATE_SECRET_KEY is named as such by start and by migrate; POSGATE_DEMO=false makes no demo merchant.
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createGateway } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { ADMIN_TOKEN } from '../harness.js';
import { baseEnv } from '../cli/spawn-cli.js';
import { runToEnd, startServer } from './start.js';

const CLI = ['--import', 'tsx', 'src/cli/main.ts'];

describe('the operator\'s first hour (SQLite, real processes)', { timeout: 240_000 }, () => {
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'posgate-first-hour-'));
  });

  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('a second server on the same DATA_DIR refuses at once, naming the first; the banner prints the bound address', async () => {
    const env = { ...baseEnv(dataDir), LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', PUBLIC_URL: 'https://pay.example.com' };
    const first = await startServer([...CLI, 'start'], env);
    try {
      // the bound address (an ephemeral port), not PUBLIC_URL, is where it listens; PUBLIC_URL is named apart
      expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(first.url).not.toBe('http://127.0.0.1:0');
      expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
      expect(first.stdout()).toContain(`storage: sqlite, data dir ${dataDir}`);
      expect(first.stdout()).toMatch(/Public URL\s+https:\/\/pay\.example\.com/);
      expect(first.stdout()).toContain('expires 120 s after it is made');

      const second = await runToEnd([...CLI, 'start'], env);
      expect(second.code).toBe(1);
      expect(second.stdout).toBe('');
      expect(second.stderr).toContain(`DATA_DIR ${dataDir} is in use by process ${first.child.pid}`);
      expect(second.stderr.trim().split('\n')).toHaveLength(1);
      // the CLI still works beside the running server (it takes no lock)
      expect((await runToEnd([...CLI, 'merchants', 'list', '--json'], env)).code).toBe(0);
    } finally {
      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
    }
    expect(existsSync(join(dataDir, 'posgate.lock'))).toBe(false); // released on a clean stop
  });

  it('a lock left by a process that is gone is taken over', async () => {
    const lock = join(dataDir, 'posgate.lock');
    // a pid far above any pid_max: no such process
    writeFileSync(lock, JSON.stringify({ pid: 2 ** 30, host: (await import('node:os')).hostname(), command: 'posgate start', since: new Date(0).toISOString() }));
    const server = await startServer([...CLI, 'start'], { ...baseEnv(dataDir), LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0' });
    let holder: unknown;
    try {
      holder = JSON.parse(readFileSync(lock, 'utf8')).pid;
    } finally {
      server.child.kill('SIGTERM');
      expect(await server.exited, server.stderr()).toBe(0);
    }
    expect(holder).toBe(server.child.pid);
  });

  it('a wrong POSGATE_SECRET_KEY: start and migrate say the key does not open this database, naming the variable', async () => {
    // the database was made with DATA_DIR/secret.key by the tests above
    const wrong = { ...baseEnv(dataDir), LOG_LEVEL: 'warn', HOST: '127.0.0.1', PORT: '0', POSGATE_SECRET_KEY: randomBytes(32).toString('hex') };
    for (const command of ['migrate', 'start']) {
      const run = await runToEnd([...CLI, command], wrong);
      expect(run.code, `${command}: ${run.stderr}`).toBe(1);
      expect(run.stderr).toMatch(/^posgate: POSGATE_SECRET_KEY does not open this database/);
      expect(run.stderr).not.toMatch(/Unsupported state|authenticate data/);
      expect(run.stderr).not.toContain(wrong.POSGATE_SECRET_KEY);
    }
    // the right key (the file's) still opens it
    const right = await runToEnd([...CLI, 'migrate'], { ...baseEnv(dataDir), POSGATE_SECRET_KEY: readFileSync(join(dataDir, 'secret.key'), 'utf8').trim() });
    expect(right.code, right.stderr).toBe(0);
    expect(right.stdout).toContain('the secret key opens it');
  });

  it('POSGATE_DEMO=false: no demo merchant, no test keys, and credentials says why', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'posgate-nodemo-'));
    try {
      const config = loadConfig({ DATA_DIR: dir, PORT: '0', HOST: '127.0.0.1', POSGATE_DEMO: 'false', POSGATE_ADMIN_TOKEN: ADMIN_TOKEN });
      const gateway = await createGateway(config, { logger: createLogger('silent'), background: false });
      try {
        const url = await gateway.listen();
        expect(gateway.demoCredentials).toBeNull();
        expect(() => gateway.demo).toThrow(/no demo merchant/);
        const merchants = await fetch(`${url}/admin/v1/merchants`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
        expect(((await merchants.json()) as { data: unknown[] }).data).toEqual([]);
      } finally {
        await gateway.close();
      }
      const credentials = await runToEnd([...CLI, 'credentials', '--json'], { ...baseEnv(dir), POSGATE_DEMO: 'false' });
      expect(credentials.code).toBe(1);
      expect(credentials.stderr).toMatch(/^posgate: No demo merchant: POSGATE_DEMO is false/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
