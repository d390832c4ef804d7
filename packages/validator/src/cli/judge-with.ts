import { type OperatorPolicy, operatorDefaults } from '../policy/operator-policy.js';
import type { CompiledSchema } from '../schema/compiled-schema.js';
import { decodeText } from '../source/decode-text.js';
import { schemaChoiceModule } from './command-loader.js';
import { readInput } from './read-input.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';

/**
 * What `--crd` or `--operator-version` chose to judge with (`lint`, `mutate`, `audit`); empty for the
 * built-in schema and defaults.
 */
export interface Judge {
  schema?: CompiledSchema;
  /** The release's operator defaults, used unless `--operator-config` (or a cluster) gives a configuration. */
  defaults?: Readonly<OperatorPolicy>;
  /**
   * The operator release the schema is that of, when known (`--operator-version`, or a `--crd` equal
   * to a shipped release's): a given configuration's missing keys take its defaults.
   */
  release?: string;
}

/** The judge of a schema: with the defaults of its release, when it is that of a release we know. */
export function judgeOf(schema: CompiledSchema): Judge {
  const release = schema.operatorVersion;
  const defaults = release === undefined ? undefined : operatorDefaults(release);
  if (release === undefined || defaults === undefined) return { schema };
  return { schema, defaults, release };
}

/**
 * `--crd FILE` compiles the cluster's own CRD (its compiler, with ajv, is loaded only then);
 * `--operator-version X.Y.Z` takes a shipped, precompiled schema and that release's defaults. Both
 * choose the schema, so they exclude each other. Every problem is a tool failure naming the cause.
 */
export async function judgeWith(
  crd: string | undefined,
  version: string | undefined,
  terminal: Terminal,
): Promise<Judge> {
  if (crd !== undefined && version !== undefined) {
    throw new ToolError(
      'USAGE',
      '--crd and --operator-version both choose the schema to judge with; use one',
    );
  }
  if (version !== undefined) {
    const { schemaForOperatorVersion, UnknownOperatorVersionError } = await schemaChoiceModule();
    try {
      return judgeOf(await schemaForOperatorVersion(version));
    } catch (error) {
      if (error instanceof UnknownOperatorVersionError) throw new ToolError('USAGE', error.message);
      throw error;
    }
  }
  if (crd === undefined) return {};
  const decoded = decodeText(await readInput(crd, terminal.stdin));
  if ('problem' in decoded) throw new ToolError('UNREADABLE', `${crd}: ${decoded.problem}`);
  const { compileCrdSchema, CrdSchemaError, shippedSchemas } = await schemaChoiceModule();
  try {
    // The operator's own CRD of a shipped release also brings that release's defaults.
    return judgeOf(compileCrdSchema(decoded.text, crd, await shippedSchemas()));
  } catch (error) {
    if (error instanceof CrdSchemaError) throw new ToolError('UNREADABLE', error.message);
    throw error;
  }
}
