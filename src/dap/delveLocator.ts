/**
 * Finds a `dlv` the way the Go extension does (explicit path, then PATH, GOBIN, GOPATH/bin),
 * picks one that can debug the program's Go version, and installs the pinned Delve into
 * malloclens's cache when none fits.
 */
import { accessSync, constants, mkdirSync, realpathSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { delveGoMismatch, formatVersion, parseVersion, PINNED_DELVE, Version } from '../core/versions';
import { CommandError, run } from './processes';

export interface Delve {
  path: string;
  version: Version;
}

export interface LocateOptions {
  /** A path the user chose (setting, `--dlv`, or MALLOCLENS_DLV): used as is, or the search fails. */
  explicit?: string;
  /** The program's Go version; Delve must be able to debug it. */
  go: Version;
  env?: NodeJS.ProcessEnv;
  /** May install the pinned Delve when none fits (the CLI does; the extension asks first). */
  install: boolean;
  /** One-line notices for the user (e.g. "installing Delve …"). */
  notify?: (message: string) => void;
}

export class DelveNotFoundError extends Error {}

export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.MALLOCLENS_CACHE) return env.MALLOCLENS_CACHE;
  const base = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'malloclens');
}

export function pinnedInstallDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(cacheDir(env), `delve-${PINNED_DELVE.version}`);
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

async function goEnv(name: string, env: NodeJS.ProcessEnv): Promise<string> {
  try {
    const r = await run('go', ['env', name], { env });
    return r.code === 0 ? r.stdout.trim() : '';
  } catch {
    return '';
  }
}

/** Candidate `dlv` paths in the Go extension's order, de-duplicated, existing ones only. */
export async function delveCandidates(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const found: string[] = [];
  const seen = new Set<string>();
  const add = (file: string) => {
    if (!executable(file)) return;
    let real = file;
    try {
      real = realpathSync(file);
    } catch {
      // keep as is
    }
    if (seen.has(real)) return;
    seen.add(real);
    found.push(file);
  };
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) add(path.join(dir, 'dlv'));
  const gobin = env.GOBIN || (await goEnv('GOBIN', env));
  if (gobin) add(path.join(gobin, 'dlv'));
  const gopath = env.GOPATH || (await goEnv('GOPATH', env));
  for (const dir of gopath.split(path.delimiter).filter(Boolean)) add(path.join(dir, 'bin', 'dlv'));
  add(path.join(pinnedInstallDir(env), 'dlv'));
  return found;
}

export async function delveVersion(file: string, env: NodeJS.ProcessEnv = process.env): Promise<Version> {
  const r = await run(file, ['version'], { env, timeoutMs: 30_000 });
  const m = /Version:\s*v?(\d+\.\d+\.\d+)/.exec(r.stdout);
  const version = m ? parseVersion(m[1]) : undefined;
  if (r.code !== 0 || !version) throw new CommandError(`${file} does not answer like Delve ("dlv version" printed ${JSON.stringify((r.stdout + r.stderr).trim().slice(0, 80))})`);
  return version;
}

export async function installPinnedDelve(env: NodeJS.ProcessEnv, notify: (m: string) => void): Promise<string> {
  const dir = pinnedInstallDir(env);
  mkdirSync(dir, { recursive: true });
  const spec = `${PINNED_DELVE.module}@v${PINNED_DELVE.version}`;
  notify(`malloclens: no suitable Delve found; installing ${spec} into ${dir} (once)…`);
  const r = await run('go', ['install', spec], { env: { ...env, GOBIN: dir }, timeoutMs: 15 * 60_000 });
  if (r.code !== 0) {
    const reason = r.stderr.trim().split('\n').pop() ?? `exit code ${r.code}`;
    throw new DelveNotFoundError(`could not install ${spec}: ${reason}`);
  }
  return path.join(dir, 'dlv');
}

export async function locateDelve(options: LocateOptions): Promise<Delve> {
  const env = options.env ?? process.env;
  const explicit = options.explicit ?? env.MALLOCLENS_DLV;
  if (explicit) {
    if (!executable(explicit)) throw new DelveNotFoundError(`Delve not found at ${explicit}.`);
    const version = await delveVersion(explicit, env);
    const mismatch = delveGoMismatch(version, options.go, `at ${explicit}`);
    if (mismatch) throw new DelveNotFoundError(mismatch);
    return { path: explicit, version };
  }

  const rejected: string[] = [];
  for (const candidate of await delveCandidates(env)) {
    let version: Version;
    try {
      version = await delveVersion(candidate, env);
    } catch {
      continue;
    }
    const mismatch = delveGoMismatch(version, options.go, `at ${candidate}`);
    if (!mismatch) return { path: candidate, version };
    rejected.push(mismatch);
  }

  const pinned = parseVersion(PINNED_DELVE.version)!;
  const pinnedMismatch = delveGoMismatch(pinned, options.go);
  if (options.install && !pinnedMismatch) {
    const file = await installPinnedDelve(env, options.notify ?? (() => {}));
    return { path: file, version: await delveVersion(file, env) };
  }
  const goText = `go${formatVersion(options.go)}`;
  if (rejected.length > 0) {
    throw new DelveNotFoundError(`No Delve here can debug ${goText}: ${rejected.join(' ')}`);
  }
  throw new DelveNotFoundError(
    pinnedMismatch
      ? `No Delve found that can debug ${goText}; install one that does (e.g. Debian's delve package for Go 1.19) or set MALLOCLENS_DLV.`
      : `Delve (dlv) not found; install it with "go install ${PINNED_DELVE.module}@v${PINNED_DELVE.version}" or set MALLOCLENS_DLV.`,
  );
}
