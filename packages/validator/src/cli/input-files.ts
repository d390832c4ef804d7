import { readdir, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { ToolError } from './tool-error.js';

/** Extensions read when a directory is given. */
export const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);
const SKIPPED_DIRECTORIES = new Set(['node_modules', '.git']);

/** `-` stands for standard input. */
export const STDIN = '-';

/**
 * Expands the CLI's paths: files as given (whatever their extension), directories recursively for
 * *.yaml, *.yml and *.json in a stable order, `-` for stdin. No path means stdin.
 */
export async function expandPaths(paths: readonly string[]): Promise<string[]> {
  if (paths.length === 0) return [STDIN];
  const files: string[] = [];
  for (const path of paths) {
    if (path === STDIN) {
      files.push(STDIN);
      continue;
    }
    const info = await stat(path).catch((error: NodeJS.ErrnoException) => {
      throw new ToolError(
        error.code === 'ENOENT' ? 'NOT_FOUND' : 'UNREADABLE',
        error.code === 'ENOENT' ? `${path}: no such file or directory` : `${path}: ${error.message}`,
      );
    });
    if (info.isDirectory()) {
      const found = await walk(path);
      if (found.length === 0)
        throw new ToolError('NO_INPUT', `${path}: no *.yaml, *.yml or *.json files in this directory`);
      files.push(...found);
    } else {
      files.push(path);
    }
  }
  return [...new Set(files)];
}

async function walk(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true }).catch((error: Error) => {
    throw new ToolError('UNREADABLE', `${directory}: ${error.message}`);
  });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of entries) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRECTORIES.has(entry.name)) files.push(...(await walk(path)));
    } else if (entry.isFile() && MANIFEST_EXTENSIONS.has(extname(entry.name).toLowerCase())) {
      files.push(path);
    }
  }
  return files;
}
