import { PolicyError } from '../policy/policy-error.js';
import { readTeamsFile, type TeamSource } from '../policy/teams-file.js';
import { decodeText } from '../source/decode-text.js';
import { readInput } from './read-input.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';

/** `--teams FILE...`: PostgresTeam manifests or teams files; a file that cannot be used exits 2. */
export async function loadTeams(files: readonly string[], terminal: Terminal): Promise<TeamSource[]> {
  const sources: TeamSource[] = [];
  for (const file of files) {
    const decoded = decodeText(await readInput(file, terminal.stdin));
    if ('problem' in decoded) throw new ToolError('BAD_POLICY', `${file}: ${decoded.problem}`);
    try {
      const read = readTeamsFile(decoded.text, file);
      sources.push(...read.sources);
      for (const warning of read.warnings) terminal.stderr.write(`acid-guard: warning: ${warning}\n`);
    } catch (error) {
      if (error instanceof PolicyError) throw new ToolError('BAD_POLICY', error.message);
      throw error;
    }
  }
  return sources;
}
