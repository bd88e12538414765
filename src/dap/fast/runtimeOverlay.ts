/**
 * Writes the `go build -overlay` that gives fast mode a runtime whose own memory profile places
 * every allocation (core/runtimePatch.ts says what changes and why). One overlay per toolchain,
 * kept in malloclens's cache; the first build with it rebuilds the runtime (seconds), later ones
 * come from Go's build cache.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { patchProfilerWalk, patchTinyMerging, RuntimePatchError } from '../../core/runtimePatch';
import { cacheDir } from '../delveLocator';
import { run } from '../processes';

/** Bumped whenever the patches change, so that no overlay of an older malloclens is reused. */
const PATCH_VERSION = 1;

export interface RuntimeOverlay {
  /** The overlay file for `-overlay=`. */
  file: string;
  goVersion: string;
}

/** The overlay for the toolchain `go` selects in `dir` (GOTOOLCHAIN included). */
export async function runtimeOverlay(dir: string, env: NodeJS.ProcessEnv): Promise<RuntimeOverlay> {
  const r = await run('go', ['env', '-json', 'GOROOT', 'GOVERSION', 'GOMODCACHE'], { cwd: dir, env });
  if (r.code !== 0) throw new RuntimePatchError(`go env failed: ${r.stderr.trim()}`);
  const { GOROOT: goroot, GOVERSION: goVersion, GOMODCACHE: modcache } = JSON.parse(r.stdout) as Record<string, string>;
  if (modcache && !path.relative(modcache, goroot).startsWith('..')) {
    // A toolchain GOTOOLCHAIN fetched: go build refuses to overlay files in the module cache.
    throw new RuntimePatchError(`${goVersion} is a toolchain in the module cache, whose files go build -overlay may not replace`);
  }
  const runtime = path.join(goroot, 'src', 'runtime');
  const replaced = new Map<string, string>();
  for (const name of readdirSync(runtime).filter((n) => /^malloc.*\.go$/.test(n) && !n.endsWith('_test.go')).sort()) {
    const patched = patchTinyMerging(readFileSync(path.join(runtime, name), 'utf8'));
    if (patched.changed) replaced.set(name, patched.text);
  }
  if (replaced.size === 0) throw new RuntimePatchError(`${goVersion}: no tiny allocator found in ${runtime}`);
  replaced.set('mprof.go', patchProfilerWalk(readFileSync(path.join(runtime, 'mprof.go'), 'utf8'), readFileSync(path.join(runtime, 'traceback.go'), 'utf8')));

  const hash = createHash('sha256').update(`${PATCH_VERSION}\0${goroot}\0${goVersion}`);
  for (const [name, text] of replaced) hash.update(`\0${name}\0${text}`);
  const dest = path.join(cacheDir(env), 'runtime-overlay', `${goVersion}-${hash.digest('hex').slice(0, 12)}`);
  const file = path.join(dest, 'overlay.json');
  if (existsSync(file)) return { file, goVersion };
  const staging = `${dest}.${process.pid}.tmp`;
  mkdirSync(staging, { recursive: true });
  const replace: Record<string, string> = {};
  for (const [name, text] of replaced) {
    writeFileSync(path.join(staging, name), text);
    replace[path.join(runtime, name)] = path.join(dest, name);
  }
  writeFileSync(path.join(staging, 'overlay.json'), JSON.stringify({ Replace: replace }, null, 1));
  try {
    renameSync(staging, dest);
  } catch (e) {
    // Another process wrote the same overlay meanwhile: theirs is as good.
    if (!existsSync(file)) throw e;
  }
  return { file, goVersion };
}
