/**
 * Turns a launch configuration written for the Go extension (`"type": "go"`) into the launch
 * arguments Delve's DAP server takes, the way the Go extension does it for `dlv-dap`
 * (golang/vscode-go extension/src/goDebugConfiguration.ts): `auto` mode picked from the file,
 * relative paths made absolute, `envFile` merged under `env`, the build run from the package's
 * directory with `program` relative to it, and user `-gcflags` removed (Delve adds its own).
 * Pure apart from the file reads it is given, so that it can be tested without VS Code.
 */
import * as path from 'node:path';

export type LaunchMode = 'debug' | 'test' | 'exec';

export class LaunchConfigError extends Error {}

export interface LaunchContext {
  /** The workspace folder relative paths are resolved against. */
  workspaceFolder?: string;
  /** The active editor's file, which decides `auto` when `program` is not a file. */
  activeFile?: string;
  /** The Go extension's `go.toolsEnvVars` (lowest precedence). */
  toolsEnv?: Record<string, string>;
  /** Build what production runs (no -N -l): appends `-gcflags=all=` after Delve's own. */
  optimized?: boolean;
  readFile(file: string): string;
  /** True for a directory, false for a file, undefined when nothing is there. */
  kindOf(file: string): 'directory' | 'file' | undefined;
}

export interface ResolvedLaunch {
  /** The configuration as Delve's launch request takes it. */
  config: Record<string, unknown>;
  /** Where dlv must run: `dlv dap` builds `debug`/`test` programs from its own directory. */
  dlvCwd: string;
  /** One-line notes for the user (flags removed, …). */
  warnings: string[];
}

const MODES = new Set(['auto', 'debug', 'test', 'exec']);
const GCFLAGS = /(^|\s)-gcflags(=| )('[^']*'|"[^"]*"|[^'"\s]+)+/;

/** Splits a command line the way a POSIX shell would for plain words, quotes and backslashes. */
export function splitArgs(line: string): string[] {
  const args: string[] = [];
  let current = '';
  let started = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < line.length) current += line[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (c === '\\' && i + 1 < line.length) {
      current += line[++i];
      started = true;
    } else if (/\s/.test(c)) {
      if (started) args.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new LaunchConfigError(`args: unterminated ${quote} quote in ${JSON.stringify(line)}`);
  if (started) args.push(current);
  return args;
}

/** `KEY=value` lines; `#` comments, `export ` prefixes and single or double quotes allowed. */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([\w.-]+)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m || raw.trim().startsWith('#')) continue;
    let value = m[2];
    const quoted = /^(['"])(.*)\1$/.exec(value);
    if (quoted) value = quoted[1] === '"' ? quoted[2].replace(/\\n/g, '\n') : quoted[2];
    else value = value.replace(/\s+#.*$/, '');
    env[m[1]] = value;
  }
  return env;
}

/** Delve splits string build flags on spaces, keeping single-quoted parts together. */
function joinBuildFlags(flags: string[]): string {
  return flags.map((f) => (/\s/.test(f) ? `'${f}'` : f)).join(' ');
}

function removeGcflags(flags: string): { flags: string; removed: boolean } {
  let removed = false;
  while (GCFLAGS.test(flags)) {
    flags = flags.replace(GCFLAGS, '');
    removed = true;
  }
  return { flags: flags.trim(), removed };
}

function stringOrList(value: unknown, name: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value;
  throw new LaunchConfigError(`${name} must be a string or an array of strings`);
}

function absolute(value: string, ctx: LaunchContext): string {
  if (path.isAbsolute(value) || !ctx.workspaceFolder) return value;
  return path.join(ctx.workspaceFolder, value);
}

function resolveMode(config: Record<string, unknown>, program: string, ctx: LaunchContext): LaunchMode {
  const mode = config.mode ?? 'auto';
  if (typeof mode !== 'string' || !MODES.has(mode)) {
    throw new LaunchConfigError(`mode ${JSON.stringify(mode)} is not supported by malloclens; use auto, debug, test or exec`);
  }
  if (mode !== 'auto') return mode as LaunchMode;
  const file = program.endsWith('.go') ? program : ctx.activeFile;
  return file?.endsWith('_test.go') ? 'test' : 'debug';
}

function resolveEnv(config: Record<string, unknown>, ctx: LaunchContext): Record<string, string> {
  const fromFiles: Record<string, string> = {};
  for (const file of stringOrList(config.envFile, 'envFile')) {
    let text: string;
    try {
      text = ctx.readFile(absolute(file, ctx));
    } catch (e) {
      throw new LaunchConfigError(`envFile ${file}: ${(e as Error).message}`);
    }
    Object.assign(fromFiles, parseEnvFile(text));
  }
  const env = config.env ?? {};
  if (typeof env !== 'object' || Array.isArray(env)) throw new LaunchConfigError('env must be an object of strings');
  return { ...ctx.toolsEnv, ...fromFiles, ...(env as Record<string, string>) };
}

function resolveBuildFlags(config: Record<string, unknown>, ctx: LaunchContext, warnings: string[]): string | undefined {
  const given = stringOrList(config.buildFlags, 'buildFlags');
  let flags = Array.isArray(config.buildFlags) ? joinBuildFlags(given) : given.join(' ');
  const cleaned = removeGcflags(flags);
  if (cleaned.removed) warnings.push("-gcflags in buildFlags is ignored: Delve builds with its own (set malloclens.optimizedBuilds to count what an optimized build allocates).");
  flags = cleaned.flags;
  // Delve puts string flags after its own "-gcflags all=-N -l", and for the same package pattern
  // the last -gcflags wins: this undoes Delve's, as a plain `go build` would build.
  if (ctx.optimized) flags = `${flags} -gcflags=all=`.trim();
  return flags === '' ? undefined : flags;
}

/**
 * An attach to a headless Delve started elsewhere (`"mode": "remote"`, as the Go extension's
 * remote configurations): `host` (default 127.0.0.1) and `port` say where, `substitutePath` maps
 * the editor's paths to the program's, `cwd` (default the workspace folder) is the editor's copy
 * of the program's module, the user's code.
 */
export function resolveAttachConfig(input: Record<string, unknown>, ctx: LaunchContext): ResolvedLaunch {
  if (input.mode !== 'remote') {
    throw new LaunchConfigError(`malloclens attaches to a headless Delve ("mode": "remote", with "port"); "mode": ${JSON.stringify(input.mode ?? 'local')} is not supported`);
  }
  const port = Number(input.port);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new LaunchConfigError(`"port" must be the headless Delve's port (dlv --headless --accept-multiclient --listen 127.0.0.1:PORT), got ${JSON.stringify(input.port)}`);
  }
  const config: Record<string, unknown> = { ...input, port, host: typeof input.host === 'string' && input.host !== '' ? input.host : '127.0.0.1' };
  const cwd = typeof input.cwd === 'string' && input.cwd !== '' ? absolute(input.cwd, ctx) : ctx.workspaceFolder;
  if (cwd) config.cwd = cwd;
  if (Array.isArray(input.substitutePath)) {
    config.substitutePath = input.substitutePath.map((rule: unknown) => {
      const r = rule as { from?: unknown; to?: unknown };
      if (typeof r?.from !== 'string' || typeof r?.to !== 'string') throw new LaunchConfigError('each substitutePath entry needs "from" (the editor\'s path) and "to" (the program\'s path)');
      return { from: r.from === '' ? r.from : absolute(r.from, ctx), to: r.to };
    });
  }
  return { config, dlvCwd: cwd ?? process.cwd(), warnings: [] };
}

export function resolveLaunchConfig(input: Record<string, unknown>, ctx: LaunchContext): ResolvedLaunch {
  if (input.request === 'attach') return resolveAttachConfig(input, ctx);
  if (input.request !== 'launch') {
    throw new LaunchConfigError(`malloclens counts programs it launches or a headless Delve's ("request": "attach", "mode": "remote"); "request": ${JSON.stringify(input.request)} is not supported`);
  }
  if (input.port !== undefined || input.host !== undefined) {
    throw new LaunchConfigError('"port"/"host" connect to a Delve server started elsewhere: use "request": "attach" with "mode": "remote" for that');
  }
  if (typeof input.program !== 'string' || input.program === '') {
    throw new LaunchConfigError('the program attribute is missing: a package directory, a .go file, or (mode exec) a binary');
  }
  const warnings: string[] = [];
  const config: Record<string, unknown> = { ...input };
  let program = absolute(input.program, ctx);
  const mode = resolveMode(input, program, ctx);
  config.mode = mode;

  const env = resolveEnv(input, ctx);
  if (env.GOFLAGS) {
    const cleaned = removeGcflags(env.GOFLAGS);
    if (cleaned.removed) warnings.push('-gcflags in GOFLAGS is ignored: Delve builds with its own.');
    env.GOFLAGS = cleaned.flags;
  }
  config.env = env;
  delete config.envFile;

  if (typeof input.args === 'string') config.args = splitArgs(input.args);
  if (typeof input.cwd === 'string' && input.cwd !== '') config.cwd = absolute(input.cwd, ctx);
  if (typeof input.output === 'string' && input.output !== '') config.output = absolute(input.output, ctx);

  let dlvCwd: string;
  if (mode === 'exec') {
    if (ctx.kindOf(program) !== 'file') throw new LaunchConfigError(`mode exec needs a built binary; ${program} is not a file`);
    dlvCwd = (config.cwd as string | undefined) ?? ctx.workspaceFolder ?? path.dirname(program);
    delete config.buildFlags;
  } else {
    if (mode === 'test' && program.endsWith('_test.go')) program = path.dirname(program);
    const kind = ctx.kindOf(program);
    if (kind === undefined) throw new LaunchConfigError(`program ${program}: no such file or directory`);
    if (kind === 'file' && !program.endsWith('.go')) throw new LaunchConfigError(`program ${program}: expected a package directory or a .go file (or mode exec for a binary)`);
    // Delve builds from its working directory, which must be inside the target's module.
    dlvCwd = kind === 'directory' ? program : path.dirname(program);
    program = kind === 'directory' ? '.' : `.${path.sep}${path.basename(program)}`;
    const buildFlags = resolveBuildFlags(input, ctx, warnings);
    if (buildFlags === undefined) delete config.buildFlags;
    else config.buildFlags = buildFlags;
  }
  config.program = program;
  return { config, dlvCwd, warnings };
}

/**
 * The `dlv dap` flags a configuration asks for, in the Go extension's order: `dlvFlags`, then
 * `--log` and `--log-output` for `showLog`/`logOutput`. Delve starts before the launch request,
 * so these go on its command line rather than in the launch arguments.
 */
export function dlvCommandFlags(config: Record<string, unknown>): string[] {
  const flags = Array.isArray(config.dlvFlags) ? config.dlvFlags.filter((f): f is string => typeof f === 'string') : [];
  if (config.showLog === true) {
    flags.push('--log');
    if (typeof config.logOutput === 'string' && config.logOutput !== '') flags.push(`--log-output=${config.logOutput}`);
  }
  return flags;
}
