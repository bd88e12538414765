import * as assert from 'node:assert/strict';
import { StackFrame, UserCodeRoots } from '../../src/core/attribution';
import { formatPerOp, formatPerOpAmount } from '../../src/core/amountText';
import { BenchmarkWindows, snapshotOf, TimerCall, TimerMethod } from '../../src/core/benchmarkWindows';
import { benchmarkNamed, benchmarkView } from '../../src/core/benchmarkView';
import { lineCountsForFile } from '../../src/core/inlineCounts';
import type { MallocReport } from '../../src/core/report';
import { Tally } from '../../src/core/tally';

const PROJECT = '/home/u/proj';
const GOROOT = '/usr/local/go';
const roots: UserCodeRoots = { include: [PROJECT], exclude: [GOROOT] };
const rt = (name: string): StackFrame => ({ name, path: `${GOROOT}/src/runtime/malloc.go`, line: 1000 });
const user = (line: number): StackFrame => ({ name: 'p.BenchmarkX', path: `${PROJECT}/x_test.go`, line });

/** A program's cumulative tally and testing.B's timer calls, in the order a run makes them. */
class Run {
  readonly tally = new Tally(roots);
  readonly windows = new BenchmarkWindows();
  private on = false;
  n = 0;

  alloc(line: number, size = 16, count = 1): void {
    this.tally.record({ size, count, frames: [rt('runtime.mallocgc'), user(line)] });
  }

  private call(method: TimerMethod, name = 'BenchmarkX'): void {
    const call: TimerCall = { name, timerOn: this.on, n: this.n };
    this.windows.timer(method, call, () => snapshotOf(this.tally));
  }

  start(): void {
    this.call('StartTimer');
    this.on = true;
  }

  stop(): void {
    this.call('StopTimer');
    this.on = false;
  }

  reset(): void {
    this.call('ResetTimer');
  }

  /** testing.(*B).runN: reset, start, the benchmark function, stop. */
  runN(n: number, body: () => void): void {
    this.n = n;
    this.reset();
    this.start();
    body();
    this.stop();
  }
}

describe('BenchmarkWindows (testing.B timer semantics)', () => {
  it("sums testing's own window deltas (Mallocs at StopTimer less b.startAllocs) from the last ResetTimer on, and says when one could not be read", () => {
    const windows = new BenchmarkWindows();
    const none = () => snapshotOf(new Tally(roots));
    const at = (method: TimerMethod, timerOn: boolean, read: Partial<TimerCall> = {}) => windows.timer(method, { name: 'BenchmarkX', timerOn, n: 5, ...read }, none);
    at('ResetTimer', false);
    at('StartTimer', false);
    at('StopTimer', true, { mallocs: 1_010, startAllocs: 1_000 });
    // A window before the last ResetTimer is testing's no more than it is ours.
    at('ResetTimer', false);
    at('StartTimer', false);
    at('StopTimer', true, { mallocs: 2_007, startAllocs: 2_000 });
    at('StartTimer', false);
    at('StopTimer', true, { mallocs: 3_003, startAllocs: 3_000 });
    assert.equal(windows.results()[0].testingAllocs, 10);
    at('StartTimer', false);
    at('StopTimer', true, { startAllocs: 4_000 });
    assert.equal(windows.results()[0].testingAllocs, undefined, 'one unread window makes the figure unknown, never a smaller one');
  });

  it("sums the runtime's count over malloclens's own windows, which testing's start reading trails", () => {
    const windows = new BenchmarkWindows();
    const none = () => snapshotOf(new Tally(roots));
    const at = (method: TimerMethod, timerOn: boolean, read: Partial<TimerCall> = {}) => windows.timer(method, { name: 'BenchmarkX', timerOn, n: 5, ...read }, none);
    at('ResetTimer', false);
    // Another thread allocated twice between StartTimer's entry (1,000) and testing's own reading (1,002).
    at('StartTimer', false, { mallocs: 1_000 });
    at('StopTimer', true, { mallocs: 1_010, startAllocs: 1_002 });
    at('StartTimer', false, { mallocs: 1_020 });
    at('ResetTimer', true, { mallocs: 1_025 });
    at('StopTimer', true, { mallocs: 1_031, startAllocs: 1_025 });
    const [b] = windows.results();
    assert.deepEqual([b.runtimeAllocs, b.testingAllocs], [6, 6], 'a ResetTimer with the timer on restarts both from its own reading');
    at('StartTimer', false, { mallocs: 1_040 });
    at('StopTimer', true, { mallocs: 1_050, startAllocs: 1_041 });
    assert.deepEqual([windows.results()[0].runtimeAllocs, windows.results()[0].testingAllocs], [16, 15]);
    at('StartTimer', false);
    at('StopTimer', true, { mallocs: 1_060, startAllocs: 1_050 });
    assert.equal(windows.results()[0].runtimeAllocs, undefined, 'a window whose opening count is unknown makes the sum unknown');
  });

  it('counts only the last run of b.N, divided by b.N', () => {
    const run = new Run();
    run.runN(1, () => run.alloc(10));
    run.runN(4, () => { for (let i = 0; i < 4; i++) run.alloc(10, 32); });
    const [b] = run.windows.results();
    assert.equal(b.name, 'BenchmarkX');
    assert.equal(b.n, 4);
    assert.equal(b.allocs, 4);
    assert.equal(b.allocsPerOp, 1);
    assert.equal(b.bytesPerOp, 32);
    assert.deepEqual(b.lines.map((l) => [l.line, l.allocs]), [[10, 4]]);
  });

  it('leaves out what comes before ResetTimer and between StopTimer and StartTimer', () => {
    const run = new Run();
    run.runN(2, () => {
      run.alloc(5, 16, 7);
      run.reset();
      for (let i = 0; i < 2; i++) {
        run.stop();
        run.alloc(8);
        run.start();
        run.alloc(9, 48);
      }
    });
    const [b] = run.windows.results();
    assert.deepEqual(b.lines.map((l) => [l.line, l.allocs, l.allocsPerOp, l.bytesPerOp]), [[9, 2, 1, 48]]);
  });

  it('ResetTimer with the timer stopped zeroes the counts and starts nothing', () => {
    const run = new Run();
    run.runN(3, () => {
      run.alloc(1, 16, 3);
      run.stop();
      run.reset();
      run.alloc(2);
      run.start();
      run.alloc(3, 16, 6);
    });
    const [b] = run.windows.results();
    assert.deepEqual(b.lines.map((l) => [l.line, l.allocs]), [[3, 6]]);
    assert.equal(b.allocsPerOp, 2);
  });

  it("keeps the runtime's share and unattributed allocations apart, and in the total", () => {
    const run = new Run();
    run.runN(2, () => {
      run.alloc(4, 16, 2);
      run.tally.record({ size: 64, frames: [rt('runtime.mallocgc'), rt('runtime.newm'), rt('runtime.startm'), rt('runtime.wakep'), rt('runtime.newproc'), user(4)] });
      run.tally.record({ size: 8, frames: [rt('runtime.mallocgc'), rt('runtime.bgsweep')] });
    });
    const [b] = run.windows.results();
    const line = b.lines.find((l) => l.line === 4)!;
    assert.equal(line.allocs + (line.runtime?.allocs ?? 0), 3, JSON.stringify(line));
    assert.equal(b.unattributed.allocs, 1);
    assert.equal(b.allocs, 4);
    assert.equal(b.allocsPerOp, 2);
  });

  it('reports sub-benchmarks, not the benchmark that ran them, nor the runner ("Main") or testing.Benchmark\'s B (no name)', () => {
    const run = new Run();
    run.windows.timer('ResetTimer', { name: '', timerOn: false, n: 1 }, () => snapshotOf(run.tally));
    run.windows.timer('StartTimer', { name: 'Main', timerOn: false, n: 1 }, () => snapshotOf(run.tally));
    run.windows.ranSubBenchmark('BenchmarkGroup');
    run.windows.timer('StartTimer', { name: 'BenchmarkGroup', timerOn: false, n: 1 }, () => snapshotOf(run.tally));
    run.windows.timer('StartTimer', { name: 'BenchmarkGroup/a', timerOn: false, n: 1 }, () => snapshotOf(run.tally));
    run.alloc(7);
    run.windows.timer('StopTimer', { name: 'BenchmarkGroup/a', timerOn: true, n: 1 }, () => snapshotOf(run.tally));
    assert.deepEqual(run.windows.results().map((b) => [b.name, b.allocs]), [['BenchmarkGroup/a', 1]]);
  });
});

describe('garbage collections in the timed windows', () => {
  it('adds up the collections between each window\'s opening and closing, from the last ResetTimer on', () => {
    const w = new BenchmarkWindows();
    const tally = new Tally(roots);
    const at = (method: TimerMethod, timerOn: boolean, numGC: number) => w.timer(method, { name: 'BenchmarkX', timerOn, n: 2, numGC }, () => snapshotOf(tally));
    at('ResetTimer', false, 1);
    at('StartTimer', false, 1);
    at('StopTimer', true, 3);
    at('StartTimer', false, 5);
    at('StopTimer', true, 6);
    assert.equal(w.results()[0].gcCycles, 3);
    at('ResetTimer', false, 6);
    at('StartTimer', false, 6);
    at('StopTimer', true, 6);
    assert.equal(w.results()[0].gcCycles, 0);
  });
});

describe('per-op text', () => {
  it('shows whole numbers as they are and others to two decimals', () => {
    assert.equal(formatPerOp(3), '3');
    assert.equal(formatPerOp(1536), '1,536');
    assert.equal(formatPerOp(4.025), '4.03');
    assert.equal(formatPerOp(0.5), '0.5');
    assert.equal(formatPerOp(0.001), '<0.01');
    assert.equal(formatPerOpAmount({ allocsPerOp: 3, bytesPerOp: 96 }), '3 allocs/op · 96 B/op');
  });
});

describe('benchmarkView (the editor\'s per-op view of one benchmark)', () => {
  it('puts per-op figures where counts were, so that inline text reads allocs/op', () => {
    const run = new Run();
    run.runN(4, () => { for (let i = 0; i < 4; i++) { run.alloc(10, 32); run.alloc(11, 48, 2); } });
    const [b] = run.windows.results();
    const report = { ...emptyReport(), benchmarks: [b] };
    assert.equal(benchmarkNamed(report, 'BenchmarkX'), b);
    assert.equal(benchmarkNamed(report, 'BenchmarkY'), undefined);
    const view = benchmarkView(report, b);
    assert.equal(view.scope, 'op');
    assert.deepEqual(view.total, { count: 3, bytes: 128 });
    const file = `${PROJECT}/x_test.go`;
    const counts = lineCountsForFile([{ id: 's', label: 'x', kind: 'statement', report: view, started: 1 }], file);
    assert.deepEqual(counts.map((c) => [c.line, c.text]), [[10, '1 allocs/op · 32 B/op'], [11, '2 allocs/op · 96 B/op']]);
  });
});

function emptyReport(): MallocReport {
  return { go: 'go1.26.8', delve: '1.27.2', buildFlags: '', scope: 'run', lines: [], unattributed: { count: 0, bytes: 0, buckets: [] }, total: { count: 0, bytes: 0 }, warnings: [] };
}
