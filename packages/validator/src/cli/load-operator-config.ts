import { policyFromText } from '../policy/load-policy.js';
import type { OperatorPolicy } from '../policy/operator-policy.js';
import { PolicyError } from '../policy/policy-error.js';
import { decodeText } from '../source/decode-text.js';
import { readInput } from './read-input.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';

/**
 * `--operator-config FILE`: the operator's ConfigMap or OperatorConfiguration (detected from the
 * document's kind; a whole operator install works too). Keys the file leaves out take the defaults of
 * `release` (the operator release chosen with `--operator-version`, or recognised from `--crd`), else
 * v2.0.1's. Warnings go to stderr; an invalid value is a tool failure naming the key and the file, as
 * the operator itself would refuse to start.
 */
export async function loadOperatorConfig(
  file: string,
  terminal: Terminal,
  release?: string,
): Promise<OperatorPolicy> {
  const decoded = decodeText(await readInput(file, terminal.stdin));
  if ('problem' in decoded) throw new ToolError('BAD_POLICY', `${file}: ${decoded.problem}`);
  try {
    const { policy, warnings } = policyFromText(decoded.text, file, release === undefined ? {} : { release });
    for (const warning of warnings) terminal.stderr.write(`acid-guard: warning: ${warning}\n`);
    return policy;
  } catch (error) {
    if (error instanceof PolicyError) throw new ToolError('BAD_POLICY', error.message);
    throw error;
  }
}
