// A PostgreSQL cluster of the test's own (initdb on a free port in a temp dir), for scenarios that
// stop, restart or cut the database: never the shared server at 5432. As root (CI), the server
// runs as the `postgres` user, since initdb and postgres refuse to run as root.
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../support/ports.js';

function binDir(): string {
  try {
    return execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
  } catch {
    const root = '/usr/lib/postgresql';
    const version = readdirSync(root).sort((a, b) => Number(b) - Number(a))[0];
    if (!version) throw new Error('no PostgreSQL server binaries (apt-get install postgresql)');
    return join(root, version, 'bin');
  }
}


export interface ScratchPostgres {
  url: string;
  port: number;
  /** pg_ctl stop: `fast` ends sessions cleanly (57P01), `immediate` drops them as a crash would. */
  stop(mode: 'fast' | 'immediate'): void;
  start(): void;
  destroy(): void;
}

export async function startScratchPostgres(): Promise<ScratchPostgres> {
  const bin = binDir();
  if (!existsSync(join(bin, 'initdb'))) throw new Error(`no initdb in ${bin}`);
  const dir = mkdtempSync(join(tmpdir(), 'posgate-pg-'));
  const data = join(dir, 'data');
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const run = (tool: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]] : [join(bin, tool), args];
    execFileSync(file, argv, { stdio: ['ignore', 'pipe', 'pipe'], timeout: 60_000 });
  };
  const port = await freePort();
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8']);
  const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100`;
  const start = () => run('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'log'), '-w', '-t', '30', 'start']);
  start();
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: (mode) => run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '30', 'stop']),
    start,
    destroy() {
      try {
        run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } catch {
        /* already stopped */
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
