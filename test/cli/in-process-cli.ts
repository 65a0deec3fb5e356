// The `posgate` command run inside the test's process: the same program as the spawned one
// (spawn-cli.ts, runCli behind src/cli/main.ts) with its output captured, without the two seconds a
// process takes to load it. The spawned one stays where only a process shows it: its exit code
// through main.ts, and `start` until SIGTERM.
import { runCli } from '../../src/cli/program.js';
import type { Run } from './spawn-cli.js';

/** `posgate <args>` with only the environment given (and `stdin` as its input): its exit code and everything it printed. */
export async function runPosgate(args: string[], env: NodeJS.ProcessEnv, stdin = ''): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['node', 'posgate', ...args], {
    env, stdout: (text) => void (stdout += text), stderr: (text) => void (stderr += text), readStdin: async () => stdin,
  });
  return { code, stdout, stderr };
}
