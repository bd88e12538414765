/**
 * The changes fast mode makes to the Go runtime it builds the program with (a `go build
 * -overlay`), so that the runtime's own memory profile places every allocation on its line and no
 * allocation needs a debugger stop. None changes what is allocated, or any count the runtime
 * keeps (`MemStats.Mallocs`); all are checked against the Go runtime's sources, per version, by
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
 * 3. A cheaper walk, the same frames. At one record per allocation the walk is most of the cost:
 *    the unwinder decodes each frame's size from the pclntab. On the goroutine's own stack (not
 *    the system stack, no cgo frames, an architecture with frame pointers) the walk follows the
 *    frame pointers instead, as the runtime's block profiler and execution tracer do, and expands
 *    inlined calls with the runtime's own `fpunwindExpand` (Go ≥ 1.23), giving the logical frames
 *    `callers` gives. Elsewhere it is the walk of (2). The expansion is the runtime's own
 *    `fpunwindExpand`, copied with one shortcut: a return address once found to be a single
 *    frame (no inlined call there) of a function that is no wrapper, which expands to itself,
 *    is kept in a small table and not decoded again. Which addresses those are depends only on
 *    the executable, so an entry never goes stale; the table costs 32 KiB of the program's data.
 * 4. No free tracking. Each profiled object also gets a "special" record on its span so that its
 *    free can be counted; on a span whose every object is profiled, that is a sorted-list insert
 *    per allocation and a record per object for the GC to sweep. malloclens reads allocations,
 *    never frees, so the record is not made: the program's heap holds less, and its own heap
 *    profile's in-use figures (allocations less frees) read as if nothing were freed.
 * 5. Every allocation from the first (patchProfileFromStart, patchProfilingKept): the sampling
 *    rate starts at 1, so no stop is needed to start profiling and the report's total is the
 *    runtime's own count at exit.
 * 6. A total per record that a stop cannot catch half-made (patchRecordTotals). The runtime
 *    keeps a record's allocations in cycles that the GC folds into the published one
 *    (`active += future[C]`, then `future[C] = 0`), after the world has restarted: a program
 *    stopped between those two writes shows that cycle twice. Each record gets one more word,
 *    the allocations recorded into it ever, added to atomically where the cycle is counted and
 *    never folded; malloclens reads that. 8 bytes per record; the runtime's own cycles are kept.
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

const FAST_WALK = 'malloclensProfileStack';

/** The deepest walk the frame-pointer path takes (debug.profstackdepth's default 128, plus the two mProf_Malloc asks for); deeper ones use the copy. */
const FAST_WALK_DEPTH = 130;

/** The frame-pointer walk: the runtime has its pieces (Go ≥ 1.23). */
function hasFramePointerWalk(mprof: string, tracestack: string): boolean {
  return ['func fpTracebackPCs(', 'func fpunwindExpand(', 'func tracefpunwindoff(', '.hasCgoOnStack()'].every((f) => tracestack.includes(f)) && /\bmaxSkip\b/.test(mprof);
}

const EXPAND = 'malloclensExpand';
const TRIVIAL_SLOTS = 4096;

/**
 * fpunwindExpand with the table of (3), or undefined where its text is not the one this knows
 * (the walk then expands with the runtime's own, uncached).
 */
function cachedExpansion(tracestack: string): string | undefined {
  const start = tracestack.indexOf('\nfunc fpunwindExpand(');
  const end = start < 0 ? -1 : tracestack.indexOf('\n}\n', start);
  if (end < 0) return undefined;
  let text = tracestack.slice(start + 1, end + 3).replace('func fpunwindExpand(', `func ${EXPAND}(`);
  const steps: [string, string][] = [
    // Known to expand to itself: no decoding.
    ['\tfor _, retPC := range pcBuf[1:] {\n', `\tfor _, retPC := range pcBuf[1:] {
\t\tslot := &malloclensSelfExpanding[(retPC^retPC>>12)%${TRIVIAL_SLOTS}]
\t\tif known := *slot; known&(1<<56-1) == uint64(retPC) {
\t\t\tif more := skipOrAdd(retPC); !more {
\t\t\t\tbreak outer
\t\t\t}
\t\t\tlastFuncID = abi.FuncID(known >> 56)
\t\t\tcontinue
\t\t}
`],
    ['\t\tu, uf := newInlineUnwinder(fi, callPC)\n\t\tfor ; uf.valid(); uf = u.next(uf) {\n\t\t\tsf := u.srcFunc(uf)\n', `\t\tu, uf := newInlineUnwinder(fi, callPC)
\t\tframes, itself, id := 0, retPC < 1<<56, abi.FuncIDNormal
\t\tfor ; uf.valid(); uf = u.next(uf) {
\t\t\tsf := u.srcFunc(uf)
\t\t\tframes++
\t\t\titself, id = itself && sf.funcID != abi.FuncIDWrapper && uf.pc+1 == retPC, sf.funcID
`],
    ['\t\t\tlastFuncID = sf.funcID\n\t\t}\n\t}\n\treturn n\n}', `\t\t\tlastFuncID = sf.funcID
\t\t}
\t\tif frames == 1 && itself {
\t\t\t*slot = uint64(retPC) | uint64(id)<<56
\t\t}
\t}
\treturn n
}`],
  ];
  for (const [from, to] of steps) {
    if (!text.includes(from)) return undefined;
    text = text.replace(from, to);
  }
  return `// malloclens: return addresses that expand to themselves (one frame, not a wrapper), each with
// its function's ID in the top byte. A slot is one word, so that a reader never sees half of
// another thread's entry.
var malloclensSelfExpanding [${TRIVIAL_SLOTS}]uint64

// malloclens: fpunwindExpand, with the addresses above not decoded again.
${text}`;
}

function framePointerWalk(tracestack: string): string {
  const cached = cachedExpansion(tracestack);
  return `// malloclens: the profiler's stack walk by frame pointers on the goroutine's own stack, expanded
// into the logical frames callers records; elsewhere the copy of callers below.
//
//go:noinline
func ${FAST_WALK}(skip int, pcbuf []uintptr) int {
	gp := getg()
	if tracefpunwindoff() || gp != gp.m.curg || gp.m.hasCgoOnStack() || len(pcbuf) > ${FAST_WALK_DEPTH} {
		// The copy's frame 0 is its caller, this function: one more to skip.
		return ${PROFILER_WALK}(skip+1, pcbuf)
	}
	// The first return address above this frame's is into its caller, callers' frame 0 as well.
	fp := unsafe.Pointer(getfp())
	n := 0
	systemstack(func() {
		var physical [1 + maxSkip + ${FAST_WALK_DEPTH}]uintptr
		physical[0] = uintptr(skip)
		m := fpTracebackPCs(fp, physical[1:])
		n = ${cached ? EXPAND : 'fpunwindExpand'}(pcbuf, physical[:1+m])
	})
	return n
}
${cached ?? ''}`;
}

/** `systemstack(func() { setprofilebucket(p, b) })` at the end of mProf_Malloc. */
const FREE_TRACKING = /\n\tsystemstack\(func\(\) \{\n\t\tsetprofilebucket\(p, b\)\n\t\}\)\n\}/;

/**
 * mprof.go with mProf_Malloc's stack walk replaced (2, 3) and its free tracking off (4). The
 * copy of `callers` is taken from the same runtime's traceback.go, so it is that version's own
 * walk with one flag more: the unwinder's `unwindJumpStack` (Go ≥ 1.21) or gentraceback's
 * `_TraceJumpStack` (before). The frame-pointer walk is added where tracestack.go has its pieces.
 */
export function patchProfilerWalk(mprof: string, traceback: string, tracestack = ''): string {
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
  if (!FREE_TRACKING.test(mprof)) throw new RuntimePatchError('runtime/mprof.go: mProf_Malloc does not end by recording the bucket for the free');
  const fast = hasFramePointerWalk(mprof, tracestack);
  const patched = mprof
    .replace(call, `$1${fast ? FAST_WALK : PROFILER_WALK}(`)
    .replace(FREE_TRACKING, '\n\t// malloclens: no free tracking: only allocations are read.\n}');
  return `${patched}
${fast ? framePointerWalk(tracestack) : ''}
// malloclens: the profiler's stack walk, from the system stack on into the goroutine's.
${walk}`;
}

/** `var MemProfileRate int = …` (Go 1.19 wraps the default in defaultMemProfileRate). */
const RATE_DEFAULT = /\nvar MemProfileRate int = [^\n]+\n/;

/** mProf_Malloc's early return for an M whose profiling stack is not made yet (Go ≥ 1.23). */
const NO_PROFILE_STACK = /(\n\tif mp\.profStack == nil \{\n(?:\t\t\/\/[^\n]*\n)*)\t\treturn\n\t\}\n/;

/** From the record's cycle index to its unlock: how mProf_Malloc counts into a bucket. */
const RECORDING = /\n(\tindex := \(mProfCycle\.read\(\) \+ 2\) % uint32\(len\(memRecord\{\}\.future\)\)\n[^]*?\tunlock\(&profMemFutureLock\[index\]\)\n)/;

const NO_STACK = 'malloclensRecordWithoutStack';

/**
 * 5. Every allocation from the program's first. The sampling rate starts at 1 instead of being
 *    set at a stop once the runtime is up, so no debugger stop is needed to start profiling, and
 *    the report's total is the runtime's own `Mallocs` at exit. The few allocations an M makes
 *    before it has a stack buffer for the profiler (its own profiling buffers, at the start)
 *    are recorded with no stack instead of dropped. Which returns the patched mprof.go; proc.go
 *    needs `patchProfilingKept` as well.
 */
export function patchProfileFromStart(mprof: string): string {
  if (!RATE_DEFAULT.test(mprof)) throw new RuntimePatchError('runtime/mprof.go: no MemProfileRate default');
  let text = mprof.replace(RATE_DEFAULT, '\n// malloclens: every allocation from the first is profiled.\nvar MemProfileRate int = 1\n');
  if (NO_PROFILE_STACK.test(text)) {
    const recording = RECORDING.exec(text);
    if (!recording || !recording[1].includes('mp.profStack[:nstk]')) throw new RuntimePatchError('runtime/mprof.go: mProf_Malloc records a bucket in a way malloclens does not know');
    text = text.replace(NO_PROFILE_STACK, `$1\t\t// malloclens: recorded with no stack rather than dropped.\n\t\t${NO_STACK}(size)\n\t\treturn\n\t}\n`);
    text += `
// malloclens: what mProf_Malloc does with a stack, with none.
func ${NO_STACK}(size uintptr) {
${recording[1].replace('mp.profStack[:nstk]', 'nil')}}
`;
  }
  return text;
}

/** The last field of `type memRecord struct`: its cycles. */
const RECORD_END = /(\ntype memRecord struct \{\n[^]*?\n\tfuture \[3\]memRecordCycle\n)\}\n/;
/** Where mProf_Malloc counts an allocation into a record's cycle (Go 1.19 names the record `mp`, later `mr`). */
const CYCLE_COUNT = /\n\t(?:mr|mp) := b\.mp\(\)\n\tmpc := &(?:mr|mp)\.future\[index\]\n\n\tlock\(&profMemFutureLock\[index\]\)\n\tmpc\.allocs\+\+\n/;

export const RECORD_TOTAL = 'malloclensAllocs';

/**
 * 6. mprof.go with a never-folded allocation total in each record. Apply before
 * patchProfileFromStart, whose copy of the recording then counts into it too.
 */
export function patchRecordTotals(mprof: string): string {
  if (!RECORD_END.test(mprof)) throw new RuntimePatchError('runtime/mprof.go: memRecord does not end with its future cycles');
  const recorded = CYCLE_COUNT.exec(mprof);
  if (!recorded) throw new RuntimePatchError('runtime/mprof.go: mProf_Malloc counts into a record in a way malloclens does not know');
  return mprof
    .replace(RECORD_END, `$1\n\t// malloclens: every allocation recorded here, never folded (a stop never sees it half-made).\n\t${RECORD_TOTAL} uintptr\n}\n`)
    .replace(CYCLE_COUNT, `${recorded[0]}\tatomic.Xadduintptr(&b.mp().${RECORD_TOTAL}, 1) // malloclens\n`);
}

/** `if disableMemoryProfiling {` in schedinit (Go ≥ 1.20), which zeroes the rate when the program never reads a profile. */
const PROFILING_OFF = /\n\tif disableMemoryProfiling \{\n/;

/** proc.go with the linker's "nobody reads the profile" switch ignored; unchanged where the runtime has none there. */
export function patchProfilingKept(proc: string): { text: string; changed: boolean } {
  if (!PROFILING_OFF.test(proc)) return { text: proc, changed: false };
  return { text: proc.replace(PROFILING_OFF, '\n\t// malloclens: the profile is read, by the debugger.\n\tif false && disableMemoryProfiling {\n'), changed: true };
}
