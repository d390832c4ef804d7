/**
 * Notices when mounted files change. The kubelet updates a Secret or ConfigMap volume by writing a
 * new timestamped directory and swapping the `..data` symlink, so the files themselves never change
 * in place: we watch their directories (any event there may be a swap) and, as controller-runtime's
 * certwatcher does, also poll what the paths resolve to, in case an event is missed.
 */
import { type FSWatcher, statSync, watch } from 'node:fs';
import { dirname, resolve } from 'node:path';

export interface FileWatchOptions {
  /** Quiet time after the last event before `onChange` runs: a swap is several events. */
  debounceMs?: number;
  /** Poll interval; 0 turns polling off. */
  pollMs?: number;
  /** Told about a watcher that failed (polling still runs). */
  onError?: (error: Error) => void;
}

export interface FileWatch {
  close(): void;
}

/** What a path resolves to now: a swap gives a new inode, a rewrite a new mtime or size. */
function identity(path: string): string {
  try {
    const stat = statSync(path);
    return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
  } catch {
    return 'missing';
  }
}

/** Calls `onChange` (debounced) when any of `files` may have changed. */
export function watchFiles(
  files: readonly string[],
  onChange: () => void,
  options: FileWatchOptions = {},
): FileWatch {
  const debounceMs = options.debounceMs ?? 100;
  const pollMs = options.pollMs ?? 10_000;
  const paths = files.map((file) => resolve(file));
  let seen = paths.map(identity).join('|');
  let timer: NodeJS.Timeout | undefined;

  const fire = (): void => {
    timer = undefined;
    seen = paths.map(identity).join('|');
    onChange();
  };
  const schedule = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(fire, debounceMs);
    timer.unref();
  };

  const watchers: FSWatcher[] = [];
  for (const directory of new Set(paths.map((path) => dirname(path)))) {
    try {
      const watcher = watch(directory, { persistent: false }, schedule);
      watcher.on('error', (error) => options.onError?.(error));
      watchers.push(watcher);
    } catch (error) {
      options.onError?.(error as Error);
    }
  }
  const poll =
    pollMs > 0
      ? setInterval(() => {
          if (paths.map(identity).join('|') !== seen) schedule();
        }, pollMs)
      : undefined;
  poll?.unref();

  return {
    close() {
      if (timer !== undefined) clearTimeout(timer);
      if (poll !== undefined) clearInterval(poll);
      for (const watcher of watchers) watcher.close();
    },
  };
}
