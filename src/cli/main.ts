// Entry point of the `posgate` command (bin/posgate.js imports the compiled file): parses
// process.argv on import. Failures are one line on stderr and exit code 1, never a stack trace.
import { runCli } from './program.js';

// A reader that stops early (`posgate credentials | head -1`) closes the pipe: what is left to print
// has nowhere to go, which is the reader's choice, not a failure (other shells' commands end there
// by SIGPIPE, which Node ignores, so the write fails with EPIPE instead). The rest is dropped, and
// the command still finishes, with its own exit code.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.stdout.write = (() => true) as typeof process.stdout.write;
});

const code = await runCli(process.argv);
if (code !== 0) process.exitCode = code;
