// What the editor shows of a comparison and of kept counts, without VS Code: the tree's
// differences and marks, the inline `(+3 vs baseline)`, a zero on a line only the baseline counted,
// and files changed since they were counted.
import * as assert from 'node:assert/strict';
import { buildAllocationTree, TreeSource } from '../../src/core/allocationTree';
import { compareReports } from '../../src/core/compare';
import { lineCountsForFile } from '../../src/core/inlineCounts';
import { markStale, STALE_MARK, withBaselineDeltas } from '../../src/core/inlineMarks';
import { changedSince } from '../../src/core/staleness';
import { MAIN, path, report, swissMapLine } from './uiFixtures';

const line = (n: number, count: number, callee = 'runtime.newobject', bytes = count * 8) => ({ file: MAIN, line: n, function: 'main.main', count, bytes, paths: [path([callee, 'runtime.mallocgc'], count, bytes)] });
const base = report([swissMapLine(), line(12, 1000), line(14, 2)]);
const now = report([swissMapLine(), line(12, 3), line(16, 1, 'runtime.makeslice')]);
const current: TreeSource = { id: 'run-2', label: 'Launch Package', kind: 'debug', report: now, live: false, started: 2000 };
const earlier: TreeSource = { id: 'run-1', label: 'Launch Package', kind: 'debug', report: base, live: false, started: 1000, earlier: true };
const compare = (s: { id: string; report: typeof now }) => (s.id === earlier.id ? undefined : compareReports(s.report, base, 'Launch Package #1'));

describe('comparison and kept counts in the editor', () => {
  it('tree: line labels carry the difference, the source its total difference, the baseline its mark', () => {
    const [cur, old] = buildAllocationTree([current, earlier], { sortBy: 'count', roots: ['/work/example'], compare, baseline: { label: 'Launch Package #1', sourceId: 'run-1' } });
    assert.match(cur.description, /^9 allocs \(\u2212998\) · 34\.1 KiB · stopped early · run/);
    assert.match(cur.tooltip!, /compared with Launch Package #1: \u2212998 allocs · \u22127\.8 KiB vs baseline/);
    assert.match(old.description, / · baseline · stopped early · earlier session · run/);
    const lines = cur.children[0].children.map((n) => n.label);
    assert.deepEqual(lines, ['5 allocs (±0) · 34.1 KiB · 56%', '3 allocs (\u2212997) · 24 B · 33%', '1 alloc (+1) · 8 B · 11%', '0 allocs (\u22122) · 0%']);
    assert.match(cur.children[0].children[1].tooltip!, /\u2212997 allocs · \u22127\.8 KiB against Launch Package #1: 1,000 allocs then/);
  });

  it('inline: the difference after the count, and a zero with its difference where only the baseline counted', () => {
    const counts = withBaselineDeltas(lineCountsForFile([current], MAIN), MAIN, compare);
    assert.deepEqual(counts.map((c) => [c.line, c.text]), [
      [6, 'run: 5 allocs · 34.1 KiB (±0 vs baseline)'],
      [12, 'run: 3 allocs · 24 B (\u2212997 vs baseline)'],
      [14, 'run: 0 allocs (\u22122 vs baseline)'],
      [16, 'run: 1 alloc · 8 B (new, +1 vs baseline)'],
    ]);
    // A line that moved with the same call says where the baseline had it.
    const moved = report([swissMapLine(), line(12, 3), line(16, 1)]);
    const m = withBaselineDeltas(lineCountsForFile([{ ...current, report: moved }], MAIN), MAIN, (s) => compareReports(s.report, base));
    assert.equal(m.find((c) => c.line === 16)?.text, 'run: 1 alloc · 8 B (−1 vs baseline at line 14)');
    // No baseline, no difference.
    assert.deepEqual(withBaselineDeltas(lineCountsForFile([current], MAIN), MAIN, () => undefined).map((c) => c.text), lineCountsForFile([current], MAIN).map((c) => c.text));
  });

  it('marks counts of a file changed since they were counted', () => {
    const mtimes = new Map([[MAIN, 2500], ['/work/example/other.go', 1500]]);
    assert.deepEqual(changedSince([MAIN, MAIN, '/work/example/other.go', '/gone.go'], 2000, (f) => mtimes.get(f)), [MAIN]);
    const marked = markStale(lineCountsForFile([current], MAIN), (s) => s.id === 'run-2');
    assert.ok(marked.every((c) => c.text.endsWith(STALE_MARK)));
    const [node] = buildAllocationTree([current], { sortBy: 'count', roots: ['/work/example'], staleFiles: () => [MAIN] });
    assert.equal(node.children[0].stale, true);
    assert.match(node.children[0].description, /changed since counted/);
  });
});
