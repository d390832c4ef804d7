import { basename, dirname } from 'node:path';
import { promisify } from 'node:util';
import { decodeText } from '../source/decode-text.js';
import { objectsOfDocument } from '../source/document-objects.js';
import { parseYamlDocuments } from '../source/yaml-documents.js';
import { looksLikePostgresql } from '../validate.js';
import { readInput } from './read-input.js';
import type { Terminal } from './terminal.js';
import { ToolError } from './tool-error.js';

/** Previous versions of objects, by `namespace/name`: what an UPDATE is compared with. */
export type PreviousVersions = ReadonlyMap<string, unknown>;

export function objectKey(object: unknown): string | undefined {
  const metadata = (object as { metadata?: { name?: unknown; namespace?: unknown } } | null)?.metadata;
  if (typeof metadata?.name !== 'string') return undefined;
  return `${typeof metadata.namespace === 'string' ? metadata.namespace : ''}/${metadata.name}`;
}

/** The postgresql objects of a text, by key (`kind: List` items included). */
export function previousVersionsIn(text: string): Map<string, unknown> {
  const found = new Map<string, unknown>();
  for (const doc of parseYamlDocuments(text)) {
    for (const { value: object } of objectsOfDocument(doc)) {
      const key = objectKey(object);
      if (key !== undefined && looksLikePostgresql(object)) found.set(key, object);
    }
  }
  return found;
}

/** `--old FILE`: every postgresql in FILE. */
export async function previousVersionsFromFile(file: string, terminal: Terminal): Promise<PreviousVersions> {
  const decoded = decodeText(await readInput(file, terminal.stdin));
  if ('problem' in decoded) throw new ToolError('UNREADABLE', `${file}: ${decoded.problem}`);
  return previousVersionsIn(decoded.text);
}

type ExecFile = (
  file: string,
  args: string[],
  options: { encoding: 'buffer'; maxBuffer: number },
) => Promise<{ stdout: Buffer; stderr: Buffer }>;

/**
 * node:child_process is loaded only when --base is used: a plain lint run never starts git. The
 * bundled CLI runs inside a vm script, where a dynamic import() is not available but require is.
 */
async function gitRunner(): Promise<ExecFile> {
  const childProcess: typeof import('node:child_process') =
    typeof require === 'function' ? require('node:child_process') : await import('node:child_process');
  return promisify(childProcess.execFile) as unknown as ExecFile;
}

/**
 * `--base REV`: the objects of a file as they were at a git revision. A file that did not exist at
 * REV has no previous versions (its objects are creates); a bad revision or no git is a tool failure.
 */
export async function previousVersionsAtRevision(file: string, revision: string): Promise<PreviousVersions> {
  const run = await gitRunner();
  try {
    const { stdout } = await run('git', ['-C', dirname(file), 'show', `${revision}:./${basename(file)}`], {
      encoding: 'buffer',
      maxBuffer: 64 * 1024 * 1024,
    });
    const decoded = decodeText(stdout);
    return 'problem' in decoded ? new Map() : previousVersionsIn(decoded.text);
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? '');
    if (/exists on disk, but not in|does not exist in/.test(stderr)) return new Map();
    // A repository without commits has no HEAD yet: on the first commit everything is new.
    if (
      revision === 'HEAD' &&
      /invalid object name 'HEAD'|ambiguous argument 'HEAD'|unknown revision/.test(stderr)
    ) {
      return new Map();
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ToolError('UNREADABLE', '--base needs git, which is not installed');
    }
    const reason = stderr.split('\n').find((line) => line.startsWith('fatal:')) ?? (error as Error).message;
    throw new ToolError(
      'UNREADABLE',
      `${file}: cannot read it at ${revision}: ${reason.replace(/^fatal: /, '')}`,
    );
  }
}
