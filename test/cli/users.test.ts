// `posgate users create|list|disable` and the demo owner of `posgate credentials --json`, run
// in-process against a temporary DATA_DIR; what they print signs in to a gateway on that database.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { createGateway, type Gateway } from '../../src/main.js';
import { createLogger } from '../../src/observability/logger.js';
import { DashboardClient } from '../support/dashboard-client.js';
import { runPosgate } from './in-process-cli.js';

let dataDir: string;
let gateway: Gateway | null = null;

const cli = (args: string[], stdin = '') => runPosgate(args, { DATA_DIR: dataDir, LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: '8124' }, stdin);

async function server(): Promise<string> {
  if (!gateway) {
    gateway = await createGateway(loadConfig({ DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent' }), { logger: createLogger('silent'), background: false });
    await gateway.listen();
  }
  return gateway.url;
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'posgate-users-'));
  // a read command (credentials) refuses where there is no database: make it, as a server's start would
  expect(await cli(['migrate'])).toMatchObject({ code: 0 });
});
afterAll(async () => {
  await gateway?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('posgate users', () => {
  let merchantId: string;

  test('credentials --json prints the demo owner, the same each time, and it signs in', async () => {
    const first = JSON.parse((await cli(['credentials', '--json'])).stdout);
    expect(first.dashboard).toEqual({ url: 'http://127.0.0.1:8124/dashboard', email: 'owner@example.com', password: expect.stringMatching(/^[A-Za-z0-9_-]{20,}$/) });
    const again = JSON.parse((await cli(['credentials', '--json'])).stdout);
    expect(again.dashboard).toEqual(first.dashboard);
    const url = await server();
    merchantId = gateway!.demo.merchantId;
    expect((await new DashboardClient(url).signIn(first.dashboard.email, first.dashboard.password)).status).toBe(303);
  });

  test('create prints a generated password once; list shows the user; the password signs in', async () => {
    const created = await cli(['users', 'create', '--merchant', merchantId, '--email', 'Staff@Example.com', '--role', 'staff', '--json']);
    expect(created.stderr).toBe('');
    const body = JSON.parse(created.stdout);
    expect(body.user).toMatchObject({ email: 'staff@example.com', role: 'staff', merchantId, disabledAt: null });
    expect(body.password).toMatch(/^[A-Za-z0-9_-]{20,}$/);
    const listed = JSON.parse((await cli(['users', 'list', '--merchant', merchantId, '--json'])).stdout);
    expect(listed.map((u: any) => u.email)).toEqual(expect.arrayContaining(['owner@example.com', 'staff@example.com']));
    expect(JSON.stringify(listed)).not.toContain(body.password);
    expect((await new DashboardClient(await server()).signIn('staff@example.com', body.password)).status).toBe(303);
  });

  test('--password-stdin takes the password from standard input and prints none', async () => {
    const created = await cli(['users', 'create', '--merchant', merchantId, '--email', 'viewer@example.com', '--role', 'viewer', '--password-stdin'], 'a long enough passphrase\n');
    expect(created.code).toBe(0);
    expect(created.stdout).not.toContain('a long enough passphrase');
    expect(created.stdout).not.toContain('Password');
    expect((await new DashboardClient(await server()).signIn('viewer@example.com', 'a long enough passphrase')).status).toBe(303);
  });

  test('bad input is one line on stderr and creates nothing', async () => {
    for (const args of [
      ['users', 'create', '--merchant', merchantId, '--email', 'not-an-email', '--role', 'staff'],
      ['users', 'create', '--merchant', merchantId, '--email', 'staff@example.com', '--role', 'staff'],
      ['users', 'create', '--merchant', 'mer_nobody', '--email', 'y@example.com', '--role', 'staff'],
    ]) {
      const run = await cli(args);
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
    }
    const short = await cli(['users', 'create', '--merchant', merchantId, '--email', 'z@example.com', '--role', 'staff', '--password-stdin'], 'short\n');
    expect(short.code).toBe(1);
    const listed = JSON.parse((await cli(['users', 'list', '--merchant', merchantId, '--json'])).stdout);
    expect(listed).toHaveLength(3);
  });

  test('disable: the user can no longer sign in', async () => {
    const run = await cli(['users', 'disable', 'staff@example.com']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Disabled usr_/m); // after the "Using …" line that names the database
    const listed = JSON.parse((await cli(['users', 'list', '--merchant', merchantId, '--json'])).stdout);
    expect(listed.find((u: any) => u.email === 'staff@example.com').disabledAt).not.toBeNull();
  });
});
