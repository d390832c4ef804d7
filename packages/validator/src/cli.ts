import { main } from './cli/main.js';

/**
 * Process entry of the `acid-guard` bin (bundled to dist/cli.cjs, started by bin/acid-guard.cjs):
 * the only place that reads process state. The exit code is set, not forced, so output is flushed.
 */
export async function run(argv: readonly string[] = process.argv.slice(2)): Promise<number> {
  const code = await main(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
  process.exitCode = code;
  return code;
}
