// Starting and stopping posgate as a service: `npm start`'s build compiles only what changed and
// says so; the documented service command (the systemd unit's ExecStart, the Dockerfile's CMD)
// runs node itself on dist/main.js, so the server is the process a SIGTERM reaches, and it exits 0.
import { execFile, spawnSync } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync, statSync, utimesSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { baseEnv, ROOT } from '../cli/spawn-cli.js';
import { startServer } from './start.js';

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const build = () => spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });

describe('posgate as a service', { timeout: 400_000 }, () => {
  it('npm start builds through scripts/build.mjs, which compiles only what changed and says what it does', () => {
    const pkg = JSON.parse(read('package.json')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toBe('node scripts/build.mjs');
    expect(pkg.scripts.prestart).toBe('npm run build');
    expect(JSON.parse(read('tsconfig.build.json')).compilerOptions).toMatchObject({ incremental: true, tsBuildInfoFile: 'dist/.tsbuildinfo' });

    const first = build(); // compiles what is out of date (nothing, usually: npm ci built it)
    expect(first.status, first.stdout + first.stderr).toBe(0);
    const built = statSync(join(ROOT, 'dist/main.js')).mtimeMs;
    const again = build();
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/posgate build: dist\/ is up to date .*not compiling/);
    expect(statSync(join(ROOT, 'dist/main.js')).mtimeMs).toBe(built);

    // a source file changed: tsc runs again, incrementally, and says so
    const source = join(ROOT, 'src/observability/metrics.ts');
    const now = new Date();
    utimesSync(source, now, now);
    const changed = build();
    expect(changed.status, changed.stdout + changed.stderr).toBe(0);
    expect(changed.stdout).toContain('posgate build: compiling what changed in src/');
    expect(changed.stdout).toMatch(/posgate build: done in \d+\.\d s\./);
    expect(build().stdout).toContain('up to date');
  });

  it('the systemd unit starts node itself on dist/main.js, and SIGTERM to that process stops it cleanly', async () => {
    const unit = read('deploy/posgate.service');
    const execStart = /^ExecStart=(.+)$/m.exec(unit)?.[1]?.trim().split(/\s+/) ?? [];
    expect(basename(execStart[0] ?? '')).toBe('node'); // not npm, npx or a shell: they would get the signal
    expect(execStart.at(-1)).toMatch(/\/dist\/main\.js$/);
    expect(unit).toMatch(/^KillSignal=SIGTERM$/m);
    expect(unit).toMatch(/^Type=simple$/m);

    expect(build().status).toBe(0); // dist/ as npm ci (prepare) or npm run build leaves it
    const dataDir = await mkdtemp(join(tmpdir(), 'posgate-service-'));
    try {
      // the unit's command, with this checkout for /opt/posgate and this node for /usr/bin/node
      const args = [...execStart.slice(1, -1), join(ROOT, 'dist/main.js')];
      const server = await startServer(args, { ...baseEnv(dataDir), HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn' });
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
      await expect(fetch(`${server.url}/healthz`)).rejects.toThrow(); // nothing left listening
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('the Dockerfile runs node as PID 1 on dist/main.js (exec form), on the Node version CI proves', () => {
    const dockerfile = read('Dockerfile');
    const cmd = /^CMD\s+(\[.*\])\s*$/m.exec(dockerfile)?.[1];
    expect(cmd, 'an exec-form CMD').toBeDefined();
    const argv = JSON.parse(cmd as string) as string[];
    expect(argv[0]).toBe('node');
    expect(argv.at(-1)).toBe('dist/main.js');
    expect(dockerfile).not.toMatch(/^(CMD|ENTRYPOINT)\s+(?!\[)/m); // no shell form: sh would be PID 1
    expect(dockerfile).not.toMatch(/^(CMD|ENTRYPOINT).*\bnpm\b/m);
    const version = /^ARG NODE_VERSION=(\d+)$/m.exec(dockerfile)?.[1];
    expect(version).toBe(process.versions.node.split('.')[0]); // the version these tests (and CI) run on
    expect(dockerfile).toMatch(/^FROM node:\$\{NODE_VERSION\}/m);
    expect(dockerfile).toMatch(/^EXPOSE 8080$/m);
    expect(dockerfile).toMatch(/HOST=0\.0\.0\.0/);
    expect(read('README.md')).toContain('node --enable-source-maps dist/main.js');
  });

  it("the Dockerfile's health check asks the port the server listens on (PORT), not a fixed 8080", async () => {
    const check = /^HEALTHCHECK .*CMD\s+(\[.*\])\s*$/m.exec(read('Dockerfile'))?.[1];
    expect(check, 'an exec-form HEALTHCHECK').toBeDefined();
    const argv = JSON.parse(check as string) as string[];
    expect(argv.slice(0, 2)).toEqual(['node', '-e']);
    const healthy = createServer((req, res) => res.writeHead(req.url === '/healthz' ? 200 : 404).end());
    await new Promise<void>((resolve) => healthy.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((healthy.address() as AddressInfo).port);
      const run = (env: Record<string, string>) => new Promise<number | null>((resolve) => execFile(process.execPath, argv.slice(1), { env: { ...process.env, ...env }, timeout: 10_000 }, (error) => resolve(error ? (error.code as number) ?? 1 : 0)));
      expect(await run({ PORT: port })).toBe(0);
      expect(await run({ PORT: '9' })).toBe(1); // nothing listens there
    } finally {
      await new Promise((resolve) => healthy.close(resolve));
    }
  });
});
