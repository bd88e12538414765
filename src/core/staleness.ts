/**
 * Counts are per line number, so once a file changes after it was counted (saved after the run
 * started, or before a kept count is restored in a later window) its numbers may stand beside
 * other code. Such a file is "stale": its counts are still shown, and said to be old.
 */

/** The files of `files` modified after `since` (ms); files that cannot be read are not stale, only missing. */
export function changedSince(files: Iterable<string>, since: number, modifiedAt: (file: string) => number | undefined): string[] {
  const out: string[] = [];
  for (const file of new Set(files)) {
    const mtime = modifiedAt(file);
    if (mtime !== undefined && mtime > since) out.push(file);
  }
  return out;
}
