// A `posgate start` child process, waited on by its output (never by time).
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from '../cli/spawn-cli.js';

export { runToEnd } from '../cli/spawn-cli.js';

export interface Started {
  child: ChildProcess;
  /** The address the banner says it listens on. */
  url: string;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Spawns `command` and resolves once its banner names where it listens; rejects if it exits first. */
export function startServer(args: string[], env: NodeJS.ProcessEnv, command = process.execPath): Promise<Started> {
  const child = spawn(command, args, { cwd: ROOT, env });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no banner within 90 s; stdout: ${stdout}\nstderr: ${stderr}`));
    }, 90_000);
    child.stdout!.on('data', () => {
      const match = /listening on (http:\/\/[^\s]+)/.exec(stdout);
      if (match && stdout.includes('Health')) {
        clearTimeout(timer);
        resolve({ child, url: match[1] as string, stdout: () => stdout, stderr: () => stderr, exited });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(Object.assign(new Error(`exited ${code} before listening; stderr: ${stderr}`), { stderr, code }));
    });
  });
}

