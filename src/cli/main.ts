// Entry point of the `posgate` command (bin/posgate.js imports the compiled file): parses
// process.argv on import. Failures are one line on stderr and exit code 1, never a stack trace.
import { runCli } from './program.js';

const code = await runCli(process.argv);
if (code !== 0) process.exitCode = code;
