/**
 * Turns profile PCs into frames (function, file, line) with `malloclens-symbolizer`, built once per
 * Go version into malloclens's cache and run for the life of a session (see symbolizerSource.ts for
 * why a Go helper). Frames are named the way Delve names them, so that attribution and the call
 * paths read the same in both counting modes.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { createInterface } from 'node:readline';
import type { StackFrame } from '../../core/attribution';
import { cacheDir } from '../delveLocator';
import { run } from '../processes';
import type { ProfileLayout } from './profileLayout';
import type { DisassembledFunction } from './runtimeSites';
import { SYMBOLIZER_SOURCE } from './symbolizerSource';

export class SymbolizerError extends Error {}

/** Delve's frame names: the package path cut at its last '/' (`internal/runtime/maps.NewMap` → `maps.NewMap`). */
export function delveFunctionName(name: string): string {
  const bracket = name.indexOf('[');
  const head = bracket < 0 ? name : name.slice(0, bracket);
  const slash = head.lastIndexOf('/');
  return slash < 0 ? name : name.slice(slash + 1);
}

interface RawFrame {
  pc: string;
  function: string;
  file: string;
  line: number;
}

export function toStackFrame(raw: RawFrame): StackFrame {
  return { name: delveFunctionName(raw.function), ...(raw.file ? { path: raw.file, line: raw.line } : {}) };
}

interface RawFunction {
  name: string;
  instructions: { pc: string; length: number; text: string; file: string; line: number }[];
}

export function toDisassembledFunction(raw: RawFunction): DisassembledFunction {
  return { name: raw.name, instructions: raw.instructions.map((i) => ({ address: BigInt(i.pc), length: i.length, text: i.text, file: i.file, line: i.line })) };
}

/**
 * Go's x86 decoder (golang.org/x/arch/x86/x86asm), as the toolchain vendors it for `go tool
 * objdump`: copied next to the helper so that the helper needs nothing but the toolchain itself.
 */
async function copyX86Decoder(into: string, env: NodeJS.ProcessEnv): Promise<void> {
  const goroot = await run('go', ['env', 'GOROOT'], { env });
  const from = path.join(goroot.stdout.trim(), 'src', 'cmd', 'vendor', 'golang.org', 'x', 'arch', 'x86', 'x86asm');
  let files: string[];
  try {
    files = readdirSync(from).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  } catch {
    throw new SymbolizerError(`Go's x86 decoder is not in this toolchain (${from})`);
  }
  mkdirSync(into);
  for (const file of files) copyFileSync(path.join(from, file), path.join(into, file));
}

/** Bumped whenever symbolizerBinary builds differently. */
const BUILD_RECIPE = 'x86asm from the toolchain; go directive of the toolchain';

/** Builds the helper with the program's own `go` (same GOTOOLCHAIN and PATH), once per Go version. */
export async function symbolizerBinary(env: NodeJS.ProcessEnv, programGoVersion?: string): Promise<string> {
  // The recipe is part of the key: a change to how the helper is built must not reuse an old build.
  const hash = createHash('sha256').update(SYMBOLIZER_SOURCE).update(BUILD_RECIPE).digest('hex').slice(0, 12);
  const dir = path.join(cacheDir(env), 'symbolizer');
  const helperFor = (version: string) => path.join(dir, `malloclens-symbolizer-${version}-${hash}`);
  // The helper the program's own toolchain built, when there is one: no `go env` to wait for.
  if (programGoVersion && existsSync(helperFor(programGoVersion))) return helperFor(programGoVersion);
  const goVersion = await run('go', ['env', 'GOVERSION'], { env });
  if (goVersion.code !== 0) throw new SymbolizerError(`go env GOVERSION failed: ${goVersion.stderr.trim()}`);
  const binary = helperFor(goVersion.stdout.trim());
  if (existsSync(binary)) return binary;
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(path.join(dir, 'build-'));
  try {
    // The toolchain's own language version: the copied decoder is written in it.
    const language = /go(\d+\.\d+)/.exec(goVersion.stdout)?.[1] ?? '1.19';
    writeFileSync(path.join(work, 'go.mod'), `module malloclens/symbolizer\n\ngo ${language}\n`);
    writeFileSync(path.join(work, 'main.go'), SYMBOLIZER_SOURCE);
    await copyX86Decoder(path.join(work, 'x86asm'), env);
    const built = path.join(work, 'malloclens-symbolizer');
    // The user's GOFLAGS (e.g. -mod=vendor) and workspace are about their module, not this one.
    const r = await run('go', ['build', '-o', built, '.'], { cwd: work, env: { ...env, GOFLAGS: '', GOWORK: 'off', CGO_ENABLED: '0' }, timeoutMs: 5 * 60_000 });
    if (r.code !== 0) throw new SymbolizerError(`cannot build the symbolizer: ${r.stderr.trim().split('\n').slice(-1)[0] ?? r.code}`);
    // Rename is atomic: two sessions building at once both end up with a whole binary.
    renameSync(built, binary);
    return binary;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

export class Symbolizer {
  private readonly frames = new Map<number, StackFrame>();
  private readonly answers: ((line: string) => void)[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly layout: ProfileLayout,
    readonly functions: DisassembledFunction[],
    private readonly clientPath: (file: string) => string,
  ) {}

  /**
   * `functions`: a pattern of names of functions to disassemble (see runtimeSites.ts).
   * `clientPath`: a path of the executable's line table as the editor knows it (the
   * configuration's substitutePath, which Delve applies to the frames it gives).
   */
  /** `goVersion`: the program's, when known (the helper built by that toolchain is taken without asking `go`). */
  static async start(program: string, env: NodeJS.ProcessEnv, functions = '^$', clientPath: (file: string) => string = (file) => file, goVersion?: string): Promise<Symbolizer> {
    const helper = await symbolizerBinary(env, goVersion);
    const child = spawn(helper, [program, functions], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    const lines = createInterface({ input: child.stdout! });
    const first = await new Promise<string>((resolve, reject) => {
      lines.once('line', resolve);
      child.once('error', (e) => reject(new SymbolizerError(`cannot run the symbolizer: ${e.message}`)));
      child.once('exit', (code) => reject(new SymbolizerError(`the symbolizer exited (${code}): ${stderr.trim()}`)));
    });
    const hello = JSON.parse(first) as { layout?: ProfileLayout; functions?: RawFunction[]; error?: string };
    if (!hello.layout) {
      child.kill('SIGKILL');
      throw new SymbolizerError(`cannot read ${program}: ${hello.error ?? first}`);
    }
    const symbolizer = new Symbolizer(child, hello.layout, (hello.functions ?? []).map(toDisassembledFunction), clientPath);
    lines.on('line', (line) => symbolizer.answers.shift()?.(line));
    child.once('exit', () => symbolizer.stopAnswering());
    return symbolizer;
  }

  private stopAnswering(): void {
    this.closed = true;
    for (const answer of this.answers.splice(0)) answer('null');
  }

  /** Frames for the PCs, from the cache or the helper. */
  async lookup(pcs: Iterable<number>): Promise<Map<number, StackFrame>> {
    const missing = [...new Set(pcs)].filter((pc) => !this.frames.has(pc));
    if (missing.length > 0) {
      const asked = this.queue.then(() => this.ask(missing));
      this.queue = asked.catch(() => undefined);
      await asked;
    }
    return this.frames;
  }

  private ask(pcs: number[]): Promise<void> {
    if (this.closed) return Promise.reject(new SymbolizerError('the symbolizer is not running'));
    return new Promise((resolve, reject) => {
      this.answers.push((line) => {
        const raw = JSON.parse(line) as RawFrame[] | null;
        if (!raw || raw.length !== pcs.length) {
          reject(new SymbolizerError('the symbolizer stopped answering'));
          return;
        }
        pcs.forEach((pc, i) => {
          const frame = toStackFrame(raw[i]);
          this.frames.set(pc, frame.path ? { ...frame, path: this.clientPath(frame.path) } : frame);
        });
        resolve();
      });
      this.child.stdin!.write(`${pcs.map((pc) => `0x${pc.toString(16)}`).join(' ')}\n`);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.child.stdin!.end();
    this.child.kill('SIGKILL');
  }
}
