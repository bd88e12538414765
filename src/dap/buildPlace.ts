/**
 * Where a count's program is built: one place per target, kept in malloclens's cache across runs.
 * `go build -o FILE` does not link again when FILE is already the binary its inputs make (its
 * build ID says so), which for a test binary is most of a rebuild's time (≈ 0.4 s of gorilla/mux's
 * 0.6 s); a fresh temporary file is linked every time. What goes into the key only picks the
 * place: whether the binary there is current is Go's own check.
 *
 * A place is held by one run at a time (Delve and the symbolizer read the binary while the
 * program runs); a run that finds it held builds in its temporary directory instead.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { cacheDir } from './delveLocator';
import { isAlive } from './processes';

/** Places not used for this long are removed by the next run that takes one. */
const UNUSED_FOR_MS = 7 * 24 * 3600 * 1000;

export interface BuildPlace {
  output: string;
  /** Gives the place back (the run is over); nothing for a temporary one. */
  release(): void;
}

export interface BuildKey {
  target: string;
  test: boolean;
  optimized: boolean;
  /** The runtime overlay or GOROOT fast mode builds with, if any. */
  runtime?: string;
}

function holderOf(lock: string): number | undefined {
  try {
    return Number(readFileSync(path.join(lock, 'pid'), 'utf8')) || undefined;
  } catch {
    return undefined;
  }
}

/** Takes the lock directory, or a lock whose holder is gone; false while a live process holds it. */
function take(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      mkdirSync(lock);
      writeFileSync(path.join(lock, 'pid'), String(process.pid));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      const holder = holderOf(lock);
      if (holder !== undefined && isAlive(holder)) return false;
      rmSync(lock, { recursive: true, force: true });
    }
  }
  return false;
}

function pruneUnused(root: string, keep: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    const dir = path.join(root, name);
    if (dir === keep) continue;
    try {
      if (now - statSync(dir).mtimeMs > UNUSED_FOR_MS && take(path.join(dir, 'lock'))) rmSync(dir, { recursive: true, force: true });
    } catch {
      // another run is using or removing it
    }
  }
}

/** The kept place for `key`, or `fallback` (a file in the run's temporary directory) when it is taken. */
export function buildPlace(key: BuildKey, fallback: string, env: NodeJS.ProcessEnv): BuildPlace {
  const root = path.join(cacheDir(env), 'builds');
  const hash = createHash('sha256').update(JSON.stringify([path.resolve(key.target), key.test, key.optimized, key.runtime ?? ''])).digest('hex').slice(0, 16);
  const dir = path.join(root, `${path.basename(key.target).replace(/[^\w.-]/g, '_')}-${hash}`);
  const lock = path.join(dir, 'lock');
  try {
    mkdirSync(dir, { recursive: true });
  } catch {
    return { output: fallback, release: () => {} };
  }
  if (!take(lock)) return { output: fallback, release: () => {} };
  const now = new Date();
  utimesSync(dir, now, now);
  pruneUnused(root, dir);
  return {
    output: path.join(dir, path.basename(fallback)),
    release: () => rmSync(lock, { recursive: true, force: true }),
  };
}
