import type { Finding } from '../finding.js';
import { type DefaultsPolicy, DefaultsPolicyError, loadDefaultsPolicy } from '../mutate/defaults-policy.js';
import type { MutateContext } from '../mutate/mutate.js';
import { type MutatedObject, mutateText } from '../mutate/mutate-text.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import type { TeamDirectory } from '../policy/team-directory.js';
import type { CompiledSchema } from '../schema/compiled-schema.js';
import { decodeText } from '../source/decode-text.js';
import { validate } from '../validate.js';
import { EXIT } from './exit-codes.js';
import { STDIN } from './input-files.js';
import { readInput } from './read-input.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';
export interface MutateCommandOptions {
  /** The manifest file, or `-` for stdin. */
  path: string;
  /** Name shown for stdin. */
  stdinName: string;
  /** The defaults policy file (`--defaults`); without one only type repairs apply. */
  defaultsPath?: string;
  /**
   * The operator's configuration (`--operator-config`, `--teams`): each mutated object is validated
   * with it, and an error that only the mutation brought in is reported (exit 1).
   */
  policy?: OperatorPolicy;
  /** The team directory (`--teams`), for the same validation. */
  teams?: TeamDirectory;
  /**
   * The schema to mutate and validate with (`--crd`, `--operator-version`): it decides where strings
   * belong and what counts as an error. The built-in one (operator v2.0.1) when absent.
   */
  schema?: CompiledSchema;
}

/**
 * `acid-guard mutate`: prints the file with every `postgresql` mutated as the webhook would mutate it —
 * comments, key order and all other documents untouched — and lists the changes on stderr.
 */
export async function mutateCommand(options: MutateCommandOptions, terminal: Terminal): Promise<number> {
  if (options.path === STDIN && options.defaultsPath === STDIN) {
    throw new ToolError('USAGE', 'the manifest and the defaults policy cannot both come from stdin');
  }
  const context: MutateContext = options.schema ? { schema: options.schema } : {};
  if (options.defaultsPath !== undefined)
    context.defaults = await readDefaultsPolicy(options.defaultsPath, terminal);
  const name = options.path === STDIN ? options.stdinName : options.path;
  const decoded = decodeText(await readInput(options.path, terminal.stdin));
  if ('problem' in decoded) throw new ToolError('UNREADABLE', `${name}: ${decoded.problem}`);

  const mutated = mutateText(decoded.text, context, name);
  terminal.stdout.write(mutated.text);
  if (mutated.objects.length === 0)
    terminal.stderr.write(`${name}: no postgresql object, nothing to mutate\n`);
  let introduced = 0;
  for (const object of mutated.objects) {
    terminal.stderr.write(formatChanges(name, object));
    for (const finding of introducedErrors(object, options)) {
      introduced += 1;
      terminal.stderr.write(
        `  error: the mutation brings in: ${finding.path}: ${finding.message}${finding.hint ? ` (${finding.hint})` : ''}\n`,
      );
    }
  }
  return introduced > 0 ? EXIT.FINDINGS : EXIT.OK;
}

async function readDefaultsPolicy(path: string, terminal: Terminal): Promise<DefaultsPolicy> {
  const decoded = decodeText(await readInput(path, terminal.stdin));
  if ('problem' in decoded) throw new ToolError('BAD_POLICY', `${path}: ${decoded.problem}`);
  try {
    return loadDefaultsPolicy(decoded.text, path);
  } catch (error) {
    if (error instanceof DefaultsPolicyError) throw new ToolError('BAD_POLICY', error.message);
    throw error;
  }
}

/** Errors of the mutated object that the input did not have (defaults that clash with the manifest). */
function introducedErrors(object: MutatedObject, options: MutateCommandOptions): Finding[] {
  if (object.result.changes.length === 0) return [];
  const context = {
    ...(options.policy ? { policy: options.policy } : {}),
    ...(options.teams ? { teams: options.teams } : {}),
    ...(options.schema ? { schema: options.schema } : {}),
  };
  const errors = (value: unknown) => validate(value, context).filter((f) => f.severity === 'error');
  const before = new Set(errors(object.input).map((f) => `${f.ruleId} ${f.path}`));
  return errors(object.result.object).filter((f) => !before.has(`${f.ruleId} ${f.path}`));
}

function formatChanges(file: string, object: MutatedObject): string {
  const where = `${file}: postgresql${object.name === undefined ? '' : ` ${object.name}`} (document ${object.document + 1}${object.prefix ? `, ${object.prefix}` : ''})`;
  const { changes } = object.result;
  if (changes.length === 0) return `${where}: no changes\n`;
  const lines = changes.map(
    (c) => `  ${c.path}: ${formatValue(c.old)} → ${formatValue(c.new)} (${c.reason})\n`,
  );
  return `${where}: ${changes.length} change${changes.length === 1 ? '' : 's'}\n${lines.join('')}`;
}

function formatValue(value: unknown): string {
  return value === undefined ? '(absent)' : JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------------
// The text: the patch of each object applied to the YAML source as small splices, so that everything
// the patch does not touch — comments, blank lines, quoting, indentation, other documents — stays
// byte for byte. (Re-printing a parsed yaml Document would move comments and re-indent lists.)

/** One mutated `postgresql` of a file. */
