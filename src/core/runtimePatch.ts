/**
 * The two changes fast mode makes to the Go runtime it builds the program with (a `go build
 * -overlay`), so that the runtime's own memory profile places every allocation on its line and no
 * allocation needs a debugger stop. Neither changes what is allocated, or any count the runtime
 * keeps (`MemStats.Mallocs`); both are checked against the Go runtime's sources, per version, by
 * the tests.
 *
 * 1. No tiny-block merging. The tiny allocator packs small pointer-free objects into one 16-byte
 *    block and returns before the profiler sees the later ones. The race build never reuses a tiny
 *    block (`!raceenabled && (size < c.tinyoffset || c.tiny == 0)` decides whether a new block
 *    becomes the one to merge into); turning that condition off does the same for any build:
 *    every tiny object gets a block of its own, and is profiled. The program's heap grows (16
 *    bytes per tiny object), its counts do not.
 * 2. System-stack allocations profiled with the goroutine's stack. What the runtime allocates on
 *    the system stack for a goroutine (creating a goroutine, a P, a thread) is recorded with a
 *    stack that ends at `runtime.systemstack`. The profiler's stack walk is given the traceback's
 *    "jump stack" flag, so it goes on into the goroutine that switched stacks, as a panic's
 *    traceback does.
 */

export class RuntimePatchError extends Error {}

/** `!raceenabled && (size < c.tinyoffset || c.tiny == 0)`, with whatever the size is called. */
const TINY_BLOCK_CHOICE = /!raceenabled && \((\w+) < c\.tinyoffset \|\| c\.tiny == 0\)/g;

/** The malloc source with tiny-block reuse off; `changed` is false when the file has no tiny allocator. */
export function patchTinyMerging(source: string): { text: string; changed: boolean } {
  let changed = false;
  const text = source.replace(TINY_BLOCK_CHOICE, (_all, size: string) => {
    changed = true;
    return `false /* malloclens: no tiny-block merging */ && (${size} < c.tinyoffset || c.tiny == 0)`;
  });
  return { text, changed };
}

const PROFILER_WALK = 'malloclensProfileCallers';

/** The text of `func callers(...) int { ... }` in traceback.go (a top-level function ends at `\n}\n`). */
function callersFunction(traceback: string): string {
  const start = traceback.indexOf('\nfunc callers(');
  if (start < 0) throw new RuntimePatchError('runtime/traceback.go has no func callers');
  const end = traceback.indexOf('\n}\n', start);
  if (end < 0) throw new RuntimePatchError('runtime/traceback.go: func callers does not end');
  return traceback.slice(start + 1, end + 3);
}

/**
 * mprof.go with mProf_Malloc's stack walk replaced by a copy of `callers` that jumps from the
 * system stack to the goroutine's. The copy is taken from the same runtime's traceback.go, so it
 * is that version's own walk with one flag more: the unwinder's `unwindJumpStack` (Go ≥ 1.21) or
 * gentraceback's `_TraceJumpStack` (before).
 */
export function patchProfilerWalk(mprof: string, traceback: string): string {
  let walk = callersFunction(traceback).replace('func callers(', `func ${PROFILER_WALK}(`);
  if (walk.includes('unwindSilentErrors)')) {
    walk = walk.replace('unwindSilentErrors)', 'unwindSilentErrors|unwindJumpStack)');
  } else if (/gentraceback\(pc, sp, 0, gp, skip, &pcbuf\[0\], len\(pcbuf\), nil, nil, 0\)/.test(walk)) {
    walk = walk.replace('nil, nil, 0)', 'nil, nil, _TraceJumpStack)');
  } else {
    throw new RuntimePatchError('runtime/traceback.go: func callers walks the stack in a way malloclens does not know');
  }
  const call = /(func mProf_Malloc\([^)]*\) \{[^]*?nstk :?= )callers\(/;
  if (!call.test(mprof)) throw new RuntimePatchError('runtime/mprof.go: mProf_Malloc does not call callers');
  return `${mprof.replace(call, `$1${PROFILER_WALK}(`)}
// malloclens: the profiler's stack walk, from the system stack on into the goroutine's.
${walk}`;
}
