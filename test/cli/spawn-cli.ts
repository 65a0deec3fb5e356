// The `posgate` command run for real, as a child process from the repository root (src/cli/main.ts
// through tsx), with only the environment a test gives it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Only what the CLI needs from the runner's environment, so a developer's PUBLIC_URL etc. cannot leak in. */
export function baseEnv(dataDir: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'SystemRoot']) if (process.env[name] !== undefined) env[name] = process.env[name];
  return env;
}

/** `node <args>` from the repository root, run to its end: its exit code and everything it printed. */
export function runToEnd(args: string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: ROOT, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export const spawnPosgate = (args: string[], env: NodeJS.ProcessEnv): Promise<Run> => runToEnd(['--import', 'tsx', 'src/cli/main.ts', ...args], env);
