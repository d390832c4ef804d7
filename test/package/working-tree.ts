/**
 * A git repository holding this working tree as one commit, for tools that install from a commit
 * (`pre-commit try-repo`, a `repo:` in .pre-commit-config.yaml). `pre-commit try-repo .` alone would
 * not do: it clones HEAD and adds uncommitted changes of tracked files only (`git add -u`), so files
 * not yet committed would be missing. Here every file git would take is copied — tracked and
 * untracked, not ignored, deleted ones left out — so the snapshot is what the next commit would hold.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, lstatSync, mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';

const git = (cwd: string, args: string[]) => {
  const result = spawnSync('git', args, {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`git ${args.join(' ')} in ${cwd} failed: ${result.stderr}`);
  return result.stdout;
};

/** Copies the working tree of `root` into `target` (an empty folder), commits it and returns the commit. */
export function snapshotWorkingTree(root: string, target: string): string {
  const files = git(root, ['ls-files', '--cached', '--others', '--exclude-standard', '-z'])
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(root, file)) && lstatSync(join(root, file)).isFile());
  for (const file of files) {
    mkdirSync(dirname(join(target, file)), { recursive: true });
    copyFileSync(join(root, file), join(target, file));
  }
  git(target, ['init', '--quiet']);
  git(target, ['add', '--all']);
  git(target, [
    '-c',
    'user.name=test',
    '-c',
    'user.email=test@example.com',
    'commit',
    '--quiet',
    '-m',
    'snapshot',
  ]);
  return git(target, ['rev-parse', 'HEAD']).trim();
}
