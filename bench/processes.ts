// posgate as a child process (`node --import tsx src/main.ts`), for the multi-process bench: start
// it, learn its URL from the banner it prints, and stop it. Every child still alive when the bench
// process exits is killed, whatever the reason for the exit.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const BANNER = /posgate is listening on (http:\/\/\S+)\s/;
const STOP_GRACE_MS = 5000;

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export interface PosgateProcess {
  url: string;
  pid: number;
  /** SIGTERM, then SIGKILL after a grace period; resolves once the process has exited. */
  stop(): Promise<void>;
}

/** Only what node and tsx need from the bench's environment: no posgate setting leaks in. */
function inherited(): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR']) {
    const value = process.env[name];
    if (value !== undefined) kept[name] = value;
  }
  return kept;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      resolve(false);
    }, timeoutMs);
    function onExit() {
      clearTimeout(timer);
      resolve(true);
    }
    child.once('exit', onExit);
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  try {
    if (exited(child)) return;
    child.kill('SIGTERM');
    if (await waitForExit(child, STOP_GRACE_MS)) return;
    child.kill('SIGKILL');
    await waitForExit(child, STOP_GRACE_MS);
  } finally {
    live.delete(child);
  }
}

/**
 * Starts `node --import tsx src/main.ts` with exactly `env` (plus PATH, HOME, TMPDIR) and resolves with
 * the URL of its banner line. Rejects, after killing it, if it exits or stays silent for `timeoutMs`.
 */
export function startPosgateProcess(name: string, env: Record<string, string>, timeoutMs = 30_000): Promise<PosgateProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: REPO_ROOT,
    env: { ...inherited(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  const tail: string[] = [];
  const remember = (chunk: Buffer) => {
    tail.push(...chunk.toString('utf8').split('\n').filter((line) => line.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - 15));
  };
  child.stderr?.on('data', remember);

  return new Promise<PosgateProcess>((resolve, reject) => {
    let stdout = '';
    let settled = false;
    const fail = (reason: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const output = tail.length > 0 ? `; last output:\n  ${tail.join('\n  ')}` : '';
      void stopChild(child).finally(() => reject(new Error(`${name} (pid ${child.pid ?? '?'}) ${reason}${output}`)));
    };
    const timer = setTimeout(() => fail(`printed no banner within ${timeoutMs / 1000} s`), timeoutMs);
    child.once('error', (error) => fail(`could not be started: ${error.message}`));
    child.once('exit', (code, signal) => fail(`exited before listening (${signal ?? `exit code ${code}`})`));
    child.stdout?.on('data', (chunk: Buffer) => {
      remember(chunk);
      if (settled) return; // keep draining the pipe, so the child never blocks on a full one
      stdout += chunk.toString('utf8');
      const match = BANNER.exec(stdout);
      if (!match?.[1]) return;
      settled = true;
      clearTimeout(timer);
      resolve({ url: match[1], pid: child.pid ?? -1, stop: () => stopChild(child) });
    });
  });
}
