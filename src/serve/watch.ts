import { watch, type FSWatcher } from 'node:fs';
import { sep } from 'node:path';

/** Options of {@link watchFolder}. */
export interface WatchOptions {
  /** Quiet time after the last change before `onChange` is called, ms (default 200). */
  debounceMs?: number;
  /** Called when the watcher fails, e.g. because the folder was removed (default: ignored). */
  onError?: (error: Error) => void;
}

/** A running watch. */
export interface FolderWatch {
  /** Stops watching and drops a pending call; safe to call twice. */
  close(): void;
}

/**
 * Watches a folder and its subfolders and calls `onChange` once per burst of changes, with the paths (relative to the
 * folder) that changed. Hidden files and folders are ignored, as the workflow loader skips them (editor swap files).
 */
export function watchFolder(dir: string, onChange: (paths: string[]) => void, options: WatchOptions = {}): FolderWatch {
  const debounceMs = options.debounceMs ?? 200;
  let pending = new Set<string>();
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined = watch(dir, { recursive: true }, (_event, name) => {
    const path = name === null ? '' : String(name);
    if (path.split(sep).some((part) => part.startsWith('.'))) return;
    pending.add(path);
    clearTimeout(timer);
    // Editors save in several steps (write a temp file, rename, chmod); one reload after the burst sees the result.
    timer = setTimeout(() => {
      const paths = [...pending];
      pending = new Set();
      onChange(paths);
    }, debounceMs);
  });
  watcher.on('error', (error) => options.onError?.(error));
  return {
    close() {
      clearTimeout(timer);
      watcher?.close();
      watcher = undefined;
    },
  };
}
