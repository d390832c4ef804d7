import { join } from 'node:path';
import {
  useBundledAuditCommand,
  useBundledMutateCommand,
  useBundledSchemaChoice,
} from './cli/command-loader.js';
import { main } from './cli/main.js';

/**
 * Process entry of the `acid-guard` bin (bundled to dist/cli.cjs, started by bin/acid-guard.cjs):
 * the only place that reads process state. The exit code is set, not forced, so output is flushed.
 */
export interface RunOptions {
  /**
   * Loads a file bundled apart; bin/acid-guard.cjs passes one that keeps V8's code cache. It runs the
   * file as a vm script, where import() is not available: the audit command, which imports
   * @kubernetes/client-node dynamically, is required as it is.
   */
  requireBundle?: (file: string) => unknown;
}

export async function run(
  argv: readonly string[] = process.argv.slice(2),
  options: RunOptions = {},
): Promise<number> {
  // In the CommonJS bundle, commands bundled apart sit next to this file.
  if (typeof __dirname === 'string') {
    const load = options.requireBundle ?? require;
    useBundledMutateCommand(() => load(join(__dirname, 'mutate-command.cjs')));
    useBundledAuditCommand(() => require(join(__dirname, 'audit-command.cjs')));
    useBundledSchemaChoice(() => load(join(__dirname, 'schema-choice.cjs')));
  }
  // A reader that stops early (`| head`) closes the pipe: stop quietly instead of crashing.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(process.exitCode ?? 0);
  });
  const code = await main(argv, {
    stdin: process.stdin,
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
  });
  process.exitCode = code;
  return code;
}
