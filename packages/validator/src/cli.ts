import { main } from './cli/main.js';

/** Process entry of the `acid-guard` bin: the only place that reads process state and exits. */
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
});
process.exitCode = code;
