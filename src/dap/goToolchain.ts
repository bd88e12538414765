/** Building the program to count, and learning from `go` what counts as the user's code. */
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { UserCodeRoots } from '../core/attribution';
import type { RuntimeOverlay } from './fast/runtimeOverlay';
import { run } from './processes';

/** Delve's own debug build flags: no optimisation or inlining, in every package including the runtime. */
export const DEBUG_GCFLAGS = 'all=-N -l';

export interface BuildRequest {
  /** A main package directory, or one .go file. */
  target: string;
  /** Build the package's test binary instead. */
  test: boolean;
  /** Build as `go build` would for production (no -N -l). */
  optimized: boolean;
  output: string;
  env: NodeJS.ProcessEnv;
  /** How to name the target in messages (as the user wrote it). */
  label?: string;
  /** Fast mode's runtime (fast/runtimeOverlay.ts): an `-overlay` file, or a GOROOT to build from. */
  runtime?: RuntimeOverlay;
}

export interface BuiltProgram {
  binary: string;
  /** e.g. "go1.26.8", read from the binary. */
  goVersion: string;
  buildFlags: string;
  /** The directory the build ran in: the package's directory. */
  packageDir: string;
}

export class BuildError extends Error {
  /** The compiler's own output, and the directory it ran in (its paths are relative to it). */
  constructor(message: string, readonly stderr = '', readonly dir = '') {
    super(message);
  }
}

/**
 * Whether `dir` is inside a module (`go env GOMOD` names a go.mod). Outside one, `go build .`
 * fails with "go.mod file not found" where `go build file.go` (what `dlv debug file.go` runs) works.
 */
export async function inModule(dir: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  const r = await run('go', ['env', 'GOMOD'], { cwd: dir, env });
  const gomod = r.stdout.trim();
  return r.code === 0 && gomod !== '' && gomod !== '/dev/null' && gomod !== 'NUL';
}

export function describeTarget(target: string, label = target): { dir: string; file?: string } {
  if (!existsSync(target)) throw new BuildError(`${label}: no such file or directory`);
  if (statSync(target).isDirectory()) return { dir: target };
  if (!target.endsWith('.go')) throw new BuildError(`${label}: expected a package directory or a .go file`);
  return { dir: path.dirname(target), file: target };
}

export async function buildProgram(request: BuildRequest): Promise<BuiltProgram> {
  const { dir, file } = describeTarget(request.target, request.label);
  if (request.test && file) throw new BuildError('--test needs a package directory, not a file');
  const buildFlags = request.optimized ? '' : `-gcflags=${DEBUG_GCFLAGS}`;
  const args = request.test ? ['test', '-c', '-o', request.output] : ['build', '-o', request.output];
  if (buildFlags) args.push(buildFlags);
  if (request.runtime?.kind === 'overlay') args.push(`-overlay=${request.runtime.file}`);
  args.push(file ? path.basename(file) : '.');
  const label = request.label ?? request.target;
  const [go, env] = request.runtime?.kind === 'goroot'
    ? [request.runtime.go, { ...request.env, GOROOT: request.runtime.goroot, GOTOOLCHAIN: 'local' }]
    : ['go', request.env];
  const r = await run(go, args, { cwd: dir, env });
  if (r.code !== 0) throw new BuildError(`cannot build ${label}: ${summarizeBuildErrors(r.stderr)}`, r.stderr, dir);
  if (!existsSync(request.output)) throw new BuildError(`cannot build ${label}: no binary was produced (is it package main?)`);
  return { binary: request.output, goVersion: await binaryGoVersion(request.output, request.env), buildFlags, packageDir: dir };
}

/** One line: the first compiler error, and how many more there were. */
export function summarizeBuildErrors(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  if (lines.length === 0) return 'go build failed';
  const more = lines.length - 1;
  return more > 0 ? `${lines[0]} (and ${more} more line${more === 1 ? '' : 's'} of errors)` : lines[0];
}

export async function binaryGoVersion(binary: string, env: NodeJS.ProcessEnv): Promise<string> {
  const r = await run('go', ['version', binary], { env });
  const m = /:\s+(go\S+)/.exec(r.stdout);
  if (r.code !== 0 || !m) throw new BuildError(`cannot read the Go version of ${binary}: ${(r.stderr || r.stdout).trim()}`);
  return m[1];
}

/** Directories the user declared as theirs too (the extension's attribution roots setting). */
export function extraRoots(env: NodeJS.ProcessEnv): string[] {
  return (env.MALLOCLENS_ROOTS ?? '').split(path.delimiter).filter((d) => d && path.isAbsolute(d));
}

/** The module's (or workspace's) directories are the user's; GOROOT and the module cache are not. */
export async function userCodeRoots(packageDir: string, env: NodeJS.ProcessEnv): Promise<UserCodeRoots> {
  const include: string[] = [];
  const list = await run('go', ['list', '-m', '-f', '{{.Dir}}'], { cwd: packageDir, env });
  if (list.code === 0) include.push(...list.stdout.split('\n').map((l) => l.trim()).filter(Boolean));
  if (include.length === 0) include.push(packageDir);
  include.push(...extraRoots(env));
  const exclude: string[] = [];
  const goenv = await run('go', ['env', '-json', 'GOROOT', 'GOMODCACHE'], { cwd: packageDir, env });
  if (goenv.code === 0) {
    const values = JSON.parse(goenv.stdout) as Record<string, string>;
    for (const v of [values.GOROOT, values.GOMODCACHE]) if (v) exclude.push(v);
  }
  return { include, exclude };
}
