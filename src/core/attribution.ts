/**
 * Charges an allocation to the innermost stack frame in user code, inclusive of the library and
 * runtime code below it: `fmt.Sprintf` called on line 12 charges line 12.
 */
import * as path from 'node:path';

export interface StackFrame {
  /** Function name as Delve reports it (import path trimmed to the last '/'). */
  name: string;
  /** Absolute source path, when the frame has source. */
  path?: string;
  line?: number;
}

/** What counts as user code: files under an include root and under no exclude root. */
export interface UserCodeRoots {
  include: string[];
  exclude: string[];
}

export type Bucket = 'runtime init' | 'package init' | 'garbage collector' | 'runtime' | 'library' | 'no stack' | 'debug console';

export type Attribution =
  | { kind: 'line'; file: string; line: number; function: string; frameIndex: number }
  | { kind: 'bucket'; bucket: Bucket };

function isUnder(file: string, root: string): boolean {
  const rel = path.relative(root, file);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel));
}

/** Answers per roots and file: a profile asks about the same few hundred files for every frame. */
const userFileCache = new WeakMap<UserCodeRoots, Map<string, boolean>>();

export function isUserFile(file: string | undefined, roots: UserCodeRoots): boolean {
  if (!file || !path.isAbsolute(file)) return false;
  let known = userFileCache.get(roots);
  if (!known) userFileCache.set(roots, (known = new Map()));
  let answer = known.get(file);
  if (answer === undefined) {
    answer = !roots.exclude.some((root) => isUnder(file, root)) && roots.include.some((root) => isUnder(file, root) && !isUnder(file, path.join(root, 'vendor')));
    known.set(file, answer);
  }
  return answer;
}

/**
 * A function called from the debugger's console runs under the runtime's debug-call frames (on a
 * goroutine of its own since Go 1.18): what it allocates is the console's, not the program's.
 */
const DEBUG_CALL = 'runtime.debugCall';

export function isDebugCall(frames: StackFrame[]): boolean {
  for (const f of frames) if (f.name.startsWith(DEBUG_CALL)) return true;
  return false;
}

export function attribute(frames: StackFrame[], roots: UserCodeRoots): Attribution {
  if (isDebugCall(frames)) return { kind: 'bucket', bucket: 'debug console' };
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (frame.line !== undefined && frame.path && isUserFile(frame.path, roots)) {
      return { kind: 'line', file: frame.path, line: frame.line, function: frame.name, frameIndex: i };
    }
  }
  return { kind: 'bucket', bucket: bucketFor(frames) };
}

/** Package-level `init` functions (`pkg.init`, `pkg.init.0`), not methods named init. */
const PACKAGE_INIT = /^[^()]*\.init(\.\d+)*$|^runtime\.doInit1?$/;
const RUNTIME_INIT = new Set(['runtime.rt0_go', 'runtime.schedinit', 'runtime.mallocinit', 'runtime.gcenable']);
const GC = /^runtime\.(gcBgMarkWorker|gcStart|gcMarkDone|gcMarkTermination|bgsweep|bgscavenge|gcDrain)/;

/** Names the part of the program an allocation with no user frame came from. */
export function bucketFor(frames: StackFrame[]): Bucket {
  if (frames.length === 0) return 'no stack';
  const names = frames.map((f) => f.name);
  if (names.some((n) => PACKAGE_INIT.test(n))) return 'package init';
  if (names.some((n) => RUNTIME_INIT.has(n))) return 'runtime init';
  if (names.some((n) => GC.test(n))) return 'garbage collector';
  if (names.some((n) => n !== '???' && !isRuntimeFunction(n))) return 'library';
  return 'runtime';
}

/** Runtime-internal packages as Delve names them (`maps.NewMap` is internal/runtime/maps). */
export function isRuntimeFunction(name: string): boolean {
  return /^(runtime|maps)[.(]/.test(name) || name.startsWith('runtime/') || name.startsWith('internal/');
}

/** Why the runtime allocated on a line's behalf: work the line set off but did not ask for. */
export type RuntimeReason = 'GC start' | 'GC assist' | 'new thread';

const ON_BEHALF = new Map<string, RuntimeReason>([
  // An allocation that crossed the heap goal starts a GC cycle: its workers' goroutines are made then.
  ['runtime.gcStart', 'GC start'],
  // An allocation during a cycle pays for marking first; the assist that ends the mark phase
  // waits on the world (a sudog, say): the GC's allocation, made on the line's goroutine.
  ['runtime.gcAssistAlloc', 'GC assist'],
  // A goroutine made ready wakes an idle P, which may need a new OS thread (its m, g0, signal stack).
  ['runtime.newm', 'new thread'],
]);

/**
 * The runtime's reason for an allocation charged to the user frame at `userFrameIndex`, when it
 * was made on the line's behalf rather than by it: a frame between the allocator and the line
 * says which (the outermost such frame wins: a GC start that made a thread is the GC's).
 */
export function onBehalfReason(frames: StackFrame[], userFrameIndex: number): RuntimeReason | undefined {
  for (let i = userFrameIndex - 1; i >= 0; i--) {
    const reason = ON_BEHALF.get(frames[i].name);
    if (reason) return reason;
  }
  return undefined;
}

/** The frames between the user frame and the allocator, outermost first: `runtime.makemap → … → runtime.mallocgc`. */
export function callPath(frames: StackFrame[], userFrameIndex: number): string[] {
  return frames.slice(0, userFrameIndex).map((f) => f.name).reverse();
}
