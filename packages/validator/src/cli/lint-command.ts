import { type LintOptions, lintText } from '../lint-text.js';
import { CONFIGMAP_DEFAULTS } from '../policy/operator-policy.js';
import { buildTeamDirectory, type TeamDirectory } from '../policy/team-directory.js';
import { postgresTeamsInText, type TeamSource } from '../policy/teams-file.js';
import { COLOR, PLAIN } from '../report/colors.js';
import type { FileResult } from '../report/file-result.js';
import { FORMATS, type Format, formatResults, isFormat } from '../report/format.js';
import { yamlSyntax } from '../rules/yaml.js';
import { decodeText } from '../source/decode-text.js';
import { EXIT } from './exit-codes.js';
import { expandPaths, STDIN } from './input-files.js';
import { objectKey, type PreviousVersions, previousVersionsAtRevision } from './previous-versions.js';
import { readInput } from './read-input.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';

export { FORMATS, type Format };

export interface LintCommandOptions {
  paths: string[];
  format: Format;
  color: boolean;
  /** Name shown for stdin. */
  stdinName: string;
  lint: LintOptions;
  /** `--old FILE`: previous versions of objects, by namespace/name. */
  old?: PreviousVersions;
  /** `--base REV`: compare each file with its version at this git revision. */
  base?: string;
  /** `--teams FILE...`: teams files and PostgresTeam manifests, already read. */
  teams?: readonly TeamSource[];
  /** Whether `--operator-config` was given: then its switches decide which team sources count. */
  policyGiven?: boolean;
}

/** `acid-guard lint`: returns the exit code; output goes to the terminal's streams. */
export async function lintCommand(options: LintCommandOptions, terminal: Terminal): Promise<number> {
  if (!isFormat(options.format)) {
    throw new ToolError('USAGE', `unknown format "${options.format}" (use ${FORMATS.join(', ')})`);
  }
  const files = await expandPaths(options.paths);
  const inputs: { file: string; name: string; bytes: Uint8Array }[] = [];
  for (const file of files) {
    inputs.push({
      file,
      name: file === STDIN ? options.stdinName : file,
      bytes: await readInput(file, terminal.stdin),
    });
  }
  const teams = teamsFor(inputs, options, terminal);
  const results: FileResult[] = [];
  for (const { file, name, bytes } of inputs) {
    let previous = options.old;
    if (options.base !== undefined) {
      if (file === STDIN)
        throw new ToolError('USAGE', '--base compares files with git; it cannot be used with stdin');
      previous = await previousVersionsAtRevision(file, options.base);
    }
    const lint: LintOptions = { ...options.lint, ...(teams ? { teams } : {}) };
    if (previous !== undefined) lint.previousVersionOf = (object) => previous.get(objectKey(object) ?? '');
    results.push(lintBytes(name, bytes, lint));
  }
  const palette = options.color && options.format === 'text' ? COLOR : PLAIN;
  terminal.stdout.write(formatResults(options.format, results, palette));
  return results.some((r) => r.errors > 0) ? EXIT.FINDINGS : EXIT.OK;
}

/**
 * The team directory: `--teams` files plus the PostgresTeam documents of the linted input (a team may
 * be defined in another file than the clusters it owns). Without an operator configuration everything
 * given counts; with one, its switches decide, as they do for the operator.
 */
function teamsFor(
  inputs: readonly { name: string; bytes: Uint8Array }[],
  options: LintCommandOptions,
  terminal: Terminal,
): TeamDirectory | undefined {
  const sources: TeamSource[] = [...(options.teams ?? [])];
  for (const { name, bytes } of inputs) {
    const decoded = decodeText(bytes);
    if (!('text' in decoded) || !decoded.text.includes('PostgresTeam')) continue;
    const read = postgresTeamsInText(decoded.text, name);
    sources.push(...read.sources);
    for (const warning of read.warnings) terminal.stderr.write(`acid-guard: warning: ${warning}\n`);
  }
  if (sources.length === 0) return undefined;
  const policy = options.lint.policy ?? CONFIGMAP_DEFAULTS;
  const directory = buildTeamDirectory(sources, policy, {
    honourPostgresTeams: options.policyGiven ? policy.enablePostgresTeamCrd : true,
    honourTeamsFiles: options.policyGiven ? policy.enableTeamsApi : true,
  });
  for (const note of directory.notes) terminal.stderr.write(`acid-guard: note: ${note}\n`);
  return directory;
}

function lintBytes(file: string, bytes: Uint8Array, options: LintOptions): FileResult {
  const decoded = decodeText(bytes);
  if ('problem' in decoded) {
    return {
      file,
      text: '',
      documents: 0,
      skipped: 0,
      errors: 1,
      warnings: 0,
      suppressed: 0,
      findings: [
        {
          ruleId: yamlSyntax.id,
          severity: yamlSyntax.severity,
          path: '',
          message: decoded.problem,
          document: 0,
          location: { line: 1, column: 1, endLine: 1, endColumn: 1 },
        },
      ],
    };
  }
  return { file, text: decoded.text, ...lintText(decoded.text, options) };
}
