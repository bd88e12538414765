/**
 * Per-op counts of benchmarks, measured over the same window the testing package measures.
 *
 * testing.B reads runtime.MemStats at StartTimer (timer off → on), StopTimer (on → off, adding the
 * difference to netAllocs/netBytes) and ResetTimer (netAllocs = 0 and, with the timer on, a new
 * start); runN resets and starts the timer itself before each run of the benchmark function, so
 * what remains after a benchmark's last run is that run's timed windows, and allocs/op is
 * netAllocs / b.N. This class does the same with per-line tallies instead of MemStats: at each of
 * those calls it is handed what has been counted so far (a snapshot of a cumulative tally), and a
 * window's allocations per line are the difference between its end and its start.
 */
import { Amount, Tally } from './tally';

/** What a benchmark's timed runs allocated on one line, per op (`allocs / n`, not rounded). */
export interface BenchmarkLine {
  file: string;
  line: number;
  function: string;
  allocs: number;
  bytes: number;
  allocsPerOp: number;
  bytesPerOp: number;
  /** What the runtime allocated on the line's behalf in the timed runs (as `lines[].runtime`). */
  runtime?: PerOp;
}

export interface PerOp {
  allocs: number;
  bytes: number;
  allocsPerOp: number;
  bytesPerOp: number;
}

/**
 * One benchmark's last run: `n` is its b.N; `allocs` is what testing.B's netAllocs counts (every
 * allocation in its timed windows, the program's other goroutines and the runtime's included);
 * `allocsPerOp` is `allocs / n`, what `go test -benchmem` prints truncated to a whole number.
 */
export interface BenchmarkReport extends PerOp {
  name: string;
  n: number;
  lines: BenchmarkLine[];
  /** Allocations in the timed windows no line of yours is charged with (runtime, library buckets). */
  unattributed: PerOp;
  /**
   * What the testing package itself counted in the same run (its netAllocs: the runtime's Mallocs
   * at each StopTimer less its b.startAllocs), read from the program. Undefined when it could not
   * be read.
   */
  testingAllocs?: number;
  /**
   * The runtime's own count (MemStats.Mallocs) over exactly the windows these lines were counted
   * in: read where each timer method was entered, the same instant the lines' tallies were taken.
   * testing reads its start a moment later, inside StartTimer, so an allocation of another thread
   * in between (the runtime starting an M, say) is here and not in `testingAllocs`:
   * `testingAllocs <= runtimeAllocs`, and the difference is exactly that work. The oracle
   * `allocs` answers to; undefined when a window's count could not be read.
   */
  runtimeAllocs?: number;
  /**
   * Garbage collections that ran inside the timed windows, when known. A collection empties
   * sync.Pools, so what a pool would have handed back is allocated again: a run with one can
   * differ from a run without.
   */
  gcCycles?: number;
}

interface LineAmounts {
  file: string;
  line: number;
  function: string;
  count: number;
  bytes: number;
  runtimeCount: number;
  runtimeBytes: number;
}

/** Everything counted so far, per line, plus what no line is charged with. */
export interface TallySnapshot {
  lines: Map<string, LineAmounts>;
  unattributed: Amount;
}

export function snapshotOf(tally: Tally): TallySnapshot {
  const lines = new Map<string, LineAmounts>();
  for (const l of tally.lineTallies()) {
    lines.set(`${l.file}:${l.line}`, {
      file: l.file, line: l.line, function: l.function, count: l.count, bytes: l.bytes,
      runtimeCount: l.runtime?.count ?? 0, runtimeBytes: l.runtime?.bytes ?? 0,
    });
  }
  return { lines, unattributed: tally.unattributed() };
}

const EMPTY: TallySnapshot = { lines: new Map(), unattributed: { count: 0, bytes: 0 } };

/** `later − earlier`, added into `into`. */
function addDifference(into: TallySnapshot, later: TallySnapshot, earlier: TallySnapshot): void {
  for (const [key, now] of later.lines) {
    const before = earlier.lines.get(key);
    const d = {
      count: now.count - (before?.count ?? 0), bytes: now.bytes - (before?.bytes ?? 0),
      runtimeCount: now.runtimeCount - (before?.runtimeCount ?? 0), runtimeBytes: now.runtimeBytes - (before?.runtimeBytes ?? 0),
    };
    if (d.count === 0 && d.bytes === 0 && d.runtimeCount === 0 && d.runtimeBytes === 0) continue;
    const sum = into.lines.get(key) ?? { file: now.file, line: now.line, function: now.function, count: 0, bytes: 0, runtimeCount: 0, runtimeBytes: 0 };
    sum.count += d.count;
    sum.bytes += d.bytes;
    sum.runtimeCount += d.runtimeCount;
    sum.runtimeBytes += d.runtimeBytes;
    into.lines.set(key, sum);
  }
  into.unattributed = {
    count: into.unattributed.count + later.unattributed.count - earlier.unattributed.count,
    bytes: into.unattributed.bytes + later.unattributed.bytes - earlier.unattributed.bytes,
  };
}

function emptySum(): TallySnapshot {
  return { lines: new Map(), unattributed: { count: 0, bytes: 0 } };
}

function perOp(allocs: number, bytes: number, n: number): PerOp {
  return { allocs, bytes, allocsPerOp: n > 0 ? allocs / n : 0, bytesPerOp: n > 0 ? bytes / n : 0 };
}

/** The state of one testing.B, as this class mirrors it. */
interface Timed {
  start: TallySnapshot;
  net: TallySnapshot;
  n: number;
  /** runtime.memstats.numgc where the window opened, and collections in the windows so far. */
  startGc?: number;
  gcCycles?: number;
  /** testing's own netAllocs so far (undefined once a window could not be read). */
  testingAllocs?: number;
  /** The runtime's count where the window opened, and over the windows so far (as testingAllocs). */
  startMallocs?: number;
  runtimeAllocs?: number;
}

/** What the program's testing.B says at the moment one of its timer methods is entered. */
export interface TimerCall {
  name: string;
  timerOn: boolean;
  /** b.N at the call (the last StopTimer of a run sees the run's own: b.Loop commits it there). */
  n: number;
  /** The runtime's count of finished collections (runtime.memstats.numgc), when read. */
  numGC?: number;
  /** Where a window opens or closes: the runtime's allocation count now, when read. */
  mallocs?: number;
  /** At a StopTimer with the timer on: b.startAllocs, when read. */
  startAllocs?: number;
}

export type TimerMethod = 'StartTimer' | 'StopTimer' | 'ResetTimer';

export class BenchmarkWindows {
  private readonly benchmarks = new Map<string, Timed>();
  /** Benchmarks that ran sub-benchmarks (b.Run): testing reports none of their own figures. */
  private readonly parents = new Set<string>();

  /** One of testing.B's timer methods was entered; `now` is what has been counted up to here. */
  timer(method: TimerMethod, call: TimerCall, now: () => TallySnapshot): void {
    // go test runs functions named Benchmark…, and sub-benchmarks are named after them; the runner's
    // own B ("Main", which runs them all) and testing.Benchmark's (no name) are no benchmark of the user's.
    if (!call.name.startsWith('Benchmark')) return;
    const b: Timed = this.benchmarks.get(call.name) ?? { start: EMPTY, net: emptySum(), n: 0, gcCycles: 0, testingAllocs: 0, runtimeAllocs: 0 };
    this.benchmarks.set(call.name, b);
    b.n = call.n;
    const open = () => {
      b.start = now();
      b.startGc = call.numGC;
      b.startMallocs = call.mallocs;
    };
    if (method === 'StartTimer' && !call.timerOn) open();
    if (method === 'StopTimer' && call.timerOn) {
      addDifference(b.net, now(), b.start);
      if (b.gcCycles !== undefined && call.numGC !== undefined && b.startGc !== undefined) b.gcCycles += call.numGC - b.startGc;
      else b.gcCycles = undefined;
      // What StopTimer is about to add to b.netAllocs (it reads MemStats before anything allocates).
      if (b.testingAllocs !== undefined && call.mallocs !== undefined && call.startAllocs !== undefined) b.testingAllocs += call.mallocs - call.startAllocs;
      else b.testingAllocs = undefined;
      if (b.runtimeAllocs !== undefined && call.mallocs !== undefined && b.startMallocs !== undefined) b.runtimeAllocs += call.mallocs - b.startMallocs;
      else b.runtimeAllocs = undefined;
    }
    if (method === 'ResetTimer') {
      b.net = emptySum();
      b.gcCycles = 0;
      b.testingAllocs = 0;
      b.runtimeAllocs = 0;
      if (call.timerOn) open();
    }
  }

  /** testing.(*B).Run was called on `name`: it is a group of sub-benchmarks. */
  ranSubBenchmark(name: string): void {
    this.parents.add(name);
  }

  results(): BenchmarkReport[] {
    const out: BenchmarkReport[] = [];
    for (const [name, b] of this.benchmarks) {
      if (this.parents.has(name)) continue;
      const lines: BenchmarkLine[] = [...b.net.lines.values()]
        .filter((l) => l.count !== 0 || l.runtimeCount !== 0)
        .map((l) => ({
          file: l.file, line: l.line, function: l.function, ...perOp(l.count, l.bytes, b.n),
          ...(l.runtimeCount !== 0 ? { runtime: perOp(l.runtimeCount, l.runtimeBytes, b.n) } : {}),
        }))
        .sort((x, y) => y.allocs - x.allocs || y.bytes - x.bytes || x.file.localeCompare(y.file) || x.line - y.line);
      const allocs = lines.reduce((s, l) => s + l.allocs + (l.runtime?.allocs ?? 0), 0) + b.net.unattributed.count;
      const bytes = lines.reduce((s, l) => s + l.bytes + (l.runtime?.bytes ?? 0), 0) + b.net.unattributed.bytes;
      out.push({
        name, n: b.n, ...perOp(allocs, bytes, b.n), lines, unattributed: perOp(b.net.unattributed.count, b.net.unattributed.bytes, b.n),
        ...(b.gcCycles !== undefined ? { gcCycles: b.gcCycles } : {}),
        ...(b.testingAllocs !== undefined ? { testingAllocs: b.testingAllocs } : {}),
        ...(b.runtimeAllocs !== undefined ? { runtimeAllocs: b.runtimeAllocs } : {}),
      });
    }
    return out;
  }

  clear(): void {
    this.benchmarks.clear();
    this.parents.clear();
  }
}
