import { type LintOptions, lintText } from '../lint-text.js';
import { COLOR, PLAIN } from '../report/colors.js';
import type { FileResult } from '../report/file-result.js';
import { formatJson } from '../report/json.js';
import { formatText } from '../report/text.js';
import { yamlSyntax } from '../rules/yaml.js';
import { decodeText } from '../source/decode-text.js';
import { EXIT } from './exit-codes.js';
import { expandPaths, STDIN } from './input-files.js';
import { objectKey, type PreviousVersions, previousVersionsAtRevision } from './previous-versions.js';
import { readInput } from './read-input.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';

export const FORMATS = ['text', 'json'] as const;
export type Format = (typeof FORMATS)[number];

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
}

/** `acid-guard lint`: returns the exit code; output goes to the terminal's streams. */
export async function lintCommand(options: LintCommandOptions, terminal: Terminal): Promise<number> {
  if (!(FORMATS as readonly string[]).includes(options.format)) {
    throw new ToolError('USAGE', `unknown format "${options.format}" (use ${FORMATS.join(' or ')})`);
  }
  const files = await expandPaths(options.paths);
  const results: FileResult[] = [];
  for (const file of files) {
    const bytes = await readInput(file, terminal.stdin);
    const name = file === STDIN ? options.stdinName : file;
    let previous = options.old;
    if (options.base !== undefined) {
      if (file === STDIN)
        throw new ToolError('USAGE', '--base compares files with git; it cannot be used with stdin');
      previous = await previousVersionsAtRevision(file, options.base);
    }
    const lint: LintOptions =
      previous === undefined
        ? options.lint
        : { ...options.lint, previousVersionOf: (object) => previous.get(objectKey(object) ?? '') };
    results.push(lintBytes(name, bytes, lint));
  }
  const palette = options.color && options.format === 'text' ? COLOR : PLAIN;
  terminal.stdout.write(options.format === 'json' ? formatJson(results) : formatText(results, palette));
  return results.some((r) => r.errors > 0) ? EXIT.FINDINGS : EXIT.OK;
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
