import * as assert from 'node:assert/strict';
import { CountSource, lineCountAt, lineCountsForFile } from '../../src/core/inlineCounts';
import { lineReport, MAIN, report, swissMapLine } from './uiFixtures';

const run = (started: number, count: number, id = `run-${started}`): CountSource => ({
  id, label: id, kind: 'debug', started,
  report: report([{ ...swissMapLine(), count, bytes: count * 16 }, { ...swissMapLine(12), count: 1000 - count, bytes: 16 }]),
});
const statement = (started: number, line: number, count: number): CountSource => ({
  id: `statement-${line}`, label: 's', kind: 'statement', started,
  report: lineReport(count > 0 ? [{ ...swissMapLine(line), count, bytes: count * 8 }] : [], line),
});

describe('inline counts: which source each line shows', () => {
  it('shows every counted line of the file with its text and heat', () => {
    const counts = lineCountsForFile([run(1, 300)], MAIN);
    assert.deepEqual(counts.map((c) => [c.line, c.text, c.level]), [[6, 'run: 300 allocs · 4.7 KiB', 4], [12, 'run: 700 allocs · 16 B', 4]]);
    assert.deepEqual(lineCountsForFile([run(1, 300)], '/other.go'), []);
  });

  it('uses only the newest debug session, so that runs do not mix', () => {
    const newer = { ...run(2, 5), report: report([{ ...swissMapLine(), count: 5, bytes: 80 }]) };
    const counts = lineCountsForFile([run(1, 300), newer], MAIN);
    assert.deepEqual(counts.map((c) => [c.line, c.text]), [[6, 'run: 5 allocs · 80 B']], 'line 12 of the older run is gone');
  });

  it('shows both scopes on a line counted by a run and by a statement, the first execution first', () => {
    for (const sources of [[run(1, 300), statement(2, 6, 5)], [statement(1, 6, 5), run(2, 300)]]) {
      const c = lineCountAt(sources, MAIN, 6);
      assert.equal(c?.text, 'first run: 5 allocs · 40 B — run: 300 allocs · 4.7 KiB');
      assert.equal(c?.all.length, 2);
    }
    assert.equal(lineCountAt([run(1, 300), statement(2, 6, 5)], MAIN, 6)?.source.kind, 'statement', 'the newest drives heat and hover');
    assert.equal(lineCountAt([statement(1, 6, 5), run(2, 300)], MAIN, 6)?.source.kind, 'debug');
    assert.equal(lineCountAt([run(1, 300), statement(2, 6, 5)], MAIN, 12)?.text, 'run: 700 allocs · 16 B', 'other lines keep the run alone');
  });

  it('shows a reached statement that allocated nothing as 0, neutral; an unreached one not at all', () => {
    const zero = lineCountsForFile([statement(1, 7, 0)], MAIN);
    assert.deepEqual(zero.map((c) => [c.line, c.text, c.level]), [[7, 'first run: 0 allocs', 0]]);
    const missed = { ...statement(1, 7, 0), report: lineReport([], 7, false) };
    assert.deepEqual(lineCountsForFile([missed], MAIN), []);
  });

  it('does not colour a statement count as hot: it has no run to be compared with', () => {
    assert.equal(lineCountAt([statement(1, 6, 5)], MAIN, 6)?.level, 1);
  });

  it('hides run lines under the minimum share, never statement counts', () => {
    const counts = lineCountsForFile([run(1, 5), statement(2, 20, 1)], MAIN, 1);
    assert.deepEqual(counts.map((c) => c.line), [12, 20], 'line 6 has 0.5% of the run');
  });
});
