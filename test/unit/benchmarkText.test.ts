import * as assert from 'node:assert/strict';
import { renderBenchmarkTables } from '../../src/core/benchmarkText';
import { BenchmarkWindows, snapshotOf, TimerCall, TimerMethod } from '../../src/core/benchmarkWindows';
import { buildReport, ReportMeta } from '../../src/core/report';
import { Tally } from '../../src/core/tally';

const PROJECT = '/home/u/proj';
const META: ReportMeta = { go: 'go1.26.8', delve: '1.27.2', buildFlags: '', scope: 'run' };
const roots = { include: [PROJECT], exclude: ['/usr/local/go'] };

/** A benchmark of 4 ops whose one window the runtime counted as 9 allocations, testing as `testing`. */
function report(testingStart: number) {
  const tally = new Tally(roots);
  const windows = new BenchmarkWindows();
  const at = (method: TimerMethod, timerOn: boolean, read: Partial<TimerCall>) => windows.timer(method, { name: 'BenchmarkX', timerOn, n: 4, ...read }, () => snapshotOf(tally));
  at('StartTimer', false, { mallocs: 100 });
  for (let i = 0; i < 9; i++) tally.record({ size: 16, frames: [{ name: 'p.BenchmarkX', path: `${PROJECT}/x_test.go`, line: 7 }] });
  at('StopTimer', true, { mallocs: 109, startAllocs: testingStart });
  return { ...buildReport(META, tally), benchmarks: windows.results() };
}

describe('renderBenchmarkTables', () => {
  it("says how many of a benchmark's allocations came before testing's own reading, beside the count", () => {
    const text = renderBenchmarkTables(report(101), PROJECT);
    assert.match(text, /BenchmarkX {2}4 ops {2}2\.25 allocs\/op/);
    assert.match(text, /9 allocations in the timed runs; testing counted 8: 1 allocation came between StartTimer's call and its own reading of MemStats/);
  });

  it('says nothing more when testing counted the same', () => {
    const text = renderBenchmarkTables(report(100), PROJECT);
    assert.match(text, /\(9 allocations in the timed runs\)/);
    assert.doesNotMatch(text, /testing counted/);
  });
});
