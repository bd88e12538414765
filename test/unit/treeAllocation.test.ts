import * as assert from 'node:assert/strict';
import { buildAllocationTree, fileLabel, nodeAsText, TreeSource } from '../../src/core/allocationTree';
import { classicMapLine, lineReport, MAIN, path, report, swissMapLine } from './uiFixtures';

const OTHER = '/work/example/pkg/cache.go';

function runSource(): TreeSource {
  const small = { file: MAIN, line: 12, function: 'main.main', count: 7, bytes: 70000, paths: [path(['runtime.growslice', 'runtime.mallocgc'], 7, 70000)] };
  const cache = { file: OTHER, line: 3, function: 'pkg.New', count: 1, bytes: 48, paths: [path(['runtime.newobject', 'runtime.mallocgc'], 1, 48)] };
  const r = report([swissMapLine(), small, cache], {
    unattributed: { count: 140, bytes: 9000, buckets: [{ name: 'runtime init', count: 130, bytes: 8000, paths: [path(['runtime.schedinit', 'runtime.mallocgc'], 130, 8000)] }, { name: 'package init', count: 10, bytes: 1000, paths: [] }] },
  });
  r.total = { count: r.total.count + 140, bytes: r.total.bytes + 9000 };
  return { id: 'session-1', label: 'Launch Package', report: r, live: true };
}

const options = { roots: ['/work/example'], sourceLine: (file: string, line: number) => (file === MAIN && line === 6 ? '_ = make(map[int]int, 1000)' : undefined) };

describe('allocation tree', () => {
  it('nests source → file → line → part with counts and bytes', () => {
    const [source] = buildAllocationTree([runSource()], { ...options, sortBy: 'count' });
    assert.equal(source.label, 'Launch Package');
    assert.equal(source.description, '153 allocs · 111.3 KiB · running');
    assert.deepEqual(source.children.map((c) => [c.type, c.label, c.description]), [
      ['file', 'main.go', '12 allocs · 102.4 KiB'],
      ['file', 'pkg/cache.go', '1 alloc · 48 B'],
      ['outside', 'outside your code', '140 allocs · 8.8 KiB'],
    ]);
    const main = source.children[0];
    assert.deepEqual(main.children.map((c) => [c.label, c.description]), [['line 12', '7 allocs · 68.4 KiB'], ['6: _ = make(map[int]int, 1000)', '5 allocs · 34.1 KiB']]);
    const mapLine = main.children[1];
    assert.deepEqual(mapLine.location, { file: MAIN, line: 6 });
    assert.deepEqual(mapLine.children.map((c) => [c.type, c.label, c.description]), [
      ['part', 'groups', '2 allocs · 34.0 KiB'],
      ['part', 'table', '2 allocs · 64 B'],
      ['part', 'directory', '1 alloc · 16 B'],
    ]);
    assert.deepEqual(mapLine.children[0].location, { file: MAIN, line: 6 }, 'a part reveals its line');
    assert.equal(mapLine.children[0].tooltip, undefined);
    assert.deepEqual(source.children[2].children.map((c) => c.label), ['runtime init', 'package init']);
  });

  it('sorts by bytes when asked, at every level', () => {
    const [source] = buildAllocationTree([runSource()], { ...options, sortBy: 'bytes' });
    const main = source.children[0];
    assert.deepEqual(main.children.map((c) => c.label), ['line 12', '6: _ = make(map[int]int, 1000)']);
    assert.deepEqual(main.children[1].children.map((c) => c.label), ['groups', 'table', 'directory']);
    const classic = buildAllocationTree([{ ...runSource(), report: report([classicMapLine(), { ...classicMapLine(9), count: 9, bytes: 90 }]) }], { ...options, sortBy: 'bytes' });
    assert.deepEqual(classic[0].children[0].children.map((c) => c.label), ['6: _ = make(map[int]int, 1000)', 'line 9'], '3 allocs of 40 KiB before 9 allocs of 90 B');
    const byCount = buildAllocationTree([{ ...runSource(), report: report([classicMapLine(), { ...classicMapLine(9), count: 9, bytes: 90 }]) }], { ...options, sortBy: 'count' });
    assert.deepEqual(byCount[0].children[0].children.map((c) => c.label), ['line 9', '6: _ = make(map[int]int, 1000)']);
  });

  it('gives a statement that allocated nothing its zero row, and says when it was not reached', () => {
    const zero = buildAllocationTree([{ id: 'statement:x', label: 'count mallocs · main.go:9', report: lineReport([], 9), live: false }], { ...options, sortBy: 'count' });
    assert.equal(zero[0].description, '0 allocs');
    assert.deepEqual(zero[0].children[0].children.map((c) => [c.label, c.description]), [['line 9', '0 allocs']]);
    const missed = buildAllocationTree([{ id: 'statement:y', label: 'count mallocs · main.go:9', report: lineReport([], 9, false), live: false }], { ...options, sortBy: 'count' });
    assert.equal(missed[0].description, '0 allocs · not reached');
    assert.deepEqual(missed[0].children, []);
  });

  it('keeps ids stable across rebuilds so that the view keeps its expansion', () => {
    const a = buildAllocationTree([runSource()], { ...options, sortBy: 'count' });
    const b = buildAllocationTree([runSource()], { ...options, sortBy: 'bytes' });
    const ids = (nodes: typeof a): string[] => nodes.flatMap((n) => [n.id, ...ids(n.children)]);
    assert.deepEqual(ids(a).sort(), ids(b).sort());
    assert.equal(new Set(ids(a)).size, ids(a).length, 'unique');
  });

  it('labels files relative to the workspace folder that holds them', () => {
    assert.equal(fileLabel('/w/a/b.go', ['/x', '/w']), 'a/b.go');
    assert.equal(fileLabel('/elsewhere/c.go', ['/w']), '/elsewhere/c.go');
  });

  it('copies a node and its subtree as indented text', () => {
    const [source] = buildAllocationTree([runSource()], { ...options, sortBy: 'count' });
    const text = nodeAsText(source.children[0]).split('\n');
    assert.deepEqual(text.slice(0, 3), ['main.go  12 allocs · 102.4 KiB', '  line 12  7 allocs · 68.4 KiB', '    runtime.growslice  7 allocs · 68.4 KiB']);
  });
});
