/**
 * Writes the `go build -overlay` that gives fast mode a runtime whose own memory profile places
 * every allocation (core/runtimePatch.ts says what changes and why). One overlay per toolchain,
 * kept in malloclens's cache; the first build with it rebuilds the runtime (seconds), later ones
 * come from Go's build cache.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { patchProfileFromStart, patchProfilerWalk, patchProfilingKept, patchRecordTotals, patchTinyMerging, RuntimePatchError } from '../../core/runtimePatch';
import { cacheDir } from '../delveLocator';
import { run } from '../processes';

/** Bumped whenever the patches change, so that no overlay of an older malloclens is reused. */
const PATCH_VERSION = 5;

/**
 * How a build gets fast mode's runtime: an overlay file for `-overlay=`, or — for a toolchain in
 * the module cache, whose files `go build -overlay` may not replace — a GOROOT of links to it
 * with the patched files in place, which `go` is run from.
 */
export type RuntimeOverlay =
  | { kind: 'overlay'; file: string; goVersion: string }
  | { kind: 'goroot'; goroot: string; go: string; goVersion: string };

/** The overlay for the toolchain `go` selects in `dir` (GOTOOLCHAIN included). */
export async function runtimeOverlay(dir: string, env: NodeJS.ProcessEnv): Promise<RuntimeOverlay> {
  const r = await run('go', ['env', '-json', 'GOROOT', 'GOVERSION', 'GOMODCACHE'], { cwd: dir, env });
  if (r.code !== 0) throw new RuntimePatchError(`go env failed: ${r.stderr.trim()}`);
  const { GOROOT: goroot, GOVERSION: goVersion, GOMODCACHE: modcache } = JSON.parse(r.stdout) as Record<string, string>;
  const inModuleCache = modcache !== undefined && modcache !== '' && !path.relative(modcache, goroot).startsWith('..');
  const runtime = path.join(goroot, 'src', 'runtime');
  const replaced = new Map<string, string>();
  for (const name of readdirSync(runtime).filter((n) => /^malloc.*\.go$/.test(n) && !n.endsWith('_test.go')).sort()) {
    const patched = patchTinyMerging(readFileSync(path.join(runtime, name), 'utf8'));
    if (patched.changed) replaced.set(name, patched.text);
  }
  if (replaced.size === 0) throw new RuntimePatchError(`${goVersion}: no tiny allocator found in ${runtime}`);
  const source = (name: string) => (existsSync(path.join(runtime, name)) ? readFileSync(path.join(runtime, name), 'utf8') : '');
  replaced.set('mprof.go', patchProfileFromStart(patchProfilerWalk(patchRecordTotals(source('mprof.go')), source('traceback.go'), source('tracestack.go'))));
  const proc = patchProfilingKept(source('proc.go'));
  if (proc.changed) replaced.set('proc.go', proc.text);

  const hash = createHash('sha256').update(`${PATCH_VERSION}\0${goroot}\0${goVersion}`);
  for (const [name, text] of replaced) hash.update(`\0${name}\0${text}`);
  const key = `${goVersion}-${hash.digest('hex').slice(0, 12)}`;
  if (inModuleCache) return linkedGoroot(goroot, runtime, replaced, path.join(cacheDir(env), 'runtime-goroot', key), goVersion);
  const dest = path.join(cacheDir(env), 'runtime-overlay', key);
  const file = path.join(dest, 'overlay.json');
  if (existsSync(file)) return { kind: 'overlay', file, goVersion };
  const staging = `${dest}.${process.pid}.tmp`;
  mkdirSync(staging, { recursive: true });
  const replace: Record<string, string> = {};
  for (const [name, text] of replaced) {
    writeFileSync(path.join(staging, name), text);
    replace[path.join(runtime, name)] = path.join(dest, name);
  }
  writeFileSync(path.join(staging, 'overlay.json'), JSON.stringify({ Replace: replace }, null, 1));
  publish(staging, dest, file);
  return { kind: 'overlay', file, goVersion };
}

/** Moves a finished directory into place; another process that got there first did as well. */
function publish(staging: string, dest: string, marker: string): void {
  try {
    renameSync(staging, dest);
  } catch (e) {
    if (!existsSync(marker)) throw e;
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * A GOROOT made of symbolic links to the toolchain's, but for src/runtime, whose patched files
 * are copies. The first build with it compiles the standard library anew (the paths differ);
 * later builds come from Go's build cache.
 */
function linkedGoroot(goroot: string, runtime: string, replaced: Map<string, string>, dest: string, goVersion: string): RuntimeOverlay {
  const go = path.join(dest, 'bin', 'go');
  if (existsSync(go)) return { kind: 'goroot', goroot: dest, go, goVersion };
  const staging = `${dest}.${process.pid}.tmp`;
  const linkAll = (from: string, to: string, except: string) => {
    mkdirSync(to, { recursive: true });
    for (const name of readdirSync(from)) if (name !== except) symlinkSync(path.join(from, name), path.join(to, name));
  };
  linkAll(goroot, staging, 'src');
  linkAll(path.join(goroot, 'src'), path.join(staging, 'src'), 'runtime');
  const runtimeCopy = path.join(staging, 'src', 'runtime');
  mkdirSync(runtimeCopy);
  for (const name of readdirSync(runtime)) {
    const text = replaced.get(name);
    if (text !== undefined) writeFileSync(path.join(runtimeCopy, name), text);
    else symlinkSync(path.join(runtime, name), path.join(runtimeCopy, name));
  }
  publish(staging, dest, go);
  return { kind: 'goroot', goroot: dest, go, goVersion };
}
