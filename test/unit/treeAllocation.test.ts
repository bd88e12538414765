import * as assert from 'node:assert/strict';
import { buildAllocationTree, fileLabel, nodeAsText, TreeSource } from '../../src/core/allocationTree';
import type { MallocReport } from '../../src/core/report';
import { classicMapLine, lineReport, MAIN, path, report, swissMapLine } from './uiFixtures';

const OTHER = '/work/example/pkg/cache.go';
/** 09:51:02 local time, as the tree prints it. */
const STARTED = new Date(2026, 11, 1, 9, 51, 2).getTime();
const stmt = (id: string, r: ReturnType<typeof lineReport>): TreeSource => ({ id, label: 'count mallocs · main.go:9', kind: 'statement', report: r, live: false, started: STARTED });

function runSource(): TreeSource {
  const small = { file: MAIN, line: 12, function: 'main.main', count: 7, bytes: 70000, paths: [path(['runtime.growslice', 'runtime.mallocgc'], 7, 70000)] };
  const cache = { file: OTHER, line: 3, function: 'pkg.New', count: 1, bytes: 48, paths: [path(['runtime.newobject', 'runtime.mallocgc'], 1, 48)] };
  const r = report([swissMapLine(), small, cache], {
    unattributed: { count: 140, bytes: 9000, buckets: [{ name: 'runtime init', count: 130, bytes: 8000, paths: [path(['runtime.schedinit', 'runtime.mallocgc'], 130, 8000)] }, { name: 'package init', count: 10, bytes: 1000, paths: [] }] },
  });
  r.total = { count: r.total.count + 140, bytes: r.total.bytes + 9000 };
  return { id: 'session-1', label: 'Launch Package', kind: 'debug', report: r, live: true, started: STARTED, engine: 'breakpoints' };
}

const options = { roots: ['/work/example'], sourceLine: (file: string, line: number) => (file === MAIN && line === 6 ? '_ = make(map[int]int, 1000)' : undefined) };

describe('allocation tree', () => {
  it('nests source → file → line → part with counts and bytes', () => {
    const [source] = buildAllocationTree([runSource()], { ...options, sortBy: 'count' });
    assert.equal(source.label, 'Launch Package');
    assert.equal(source.description, '153 allocs · 111.3 KiB · running · run · 09:51:02 · breakpoint engine');
    assert.deepEqual(source.children.map((c) => [c.type, c.label, c.description]), [
      ['file', 'main.go', '12 allocs · 102.4 KiB'],
      ['file', 'pkg/cache.go', '1 alloc · 48 B'],
      ['outside', 'outside your code', '140 allocs · 8.8 KiB'],
    ]);
    const main = source.children[0];
    // Count and share of the run first (labels are cut last), then the location, then the source.
    assert.deepEqual(main.children.map((c) => [c.label, c.description]), [['7 allocs · 68.4 KiB · 4.6%', 'main.go:12'], ['5 allocs · 34.1 KiB · 3.3%', 'main.go:6  _ = make(map[int]int, 1000)']]);
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
    assert.deepEqual(main.children.map((c) => c.description), ['main.go:12', 'main.go:6  _ = make(map[int]int, 1000)']);
    assert.deepEqual(main.children[1].children.map((c) => c.label), ['groups', 'table', 'directory']);
    const classic = buildAllocationTree([{ ...runSource(), report: report([classicMapLine(), { ...classicMapLine(9), count: 9, bytes: 90 }]) }], { ...options, sortBy: 'bytes' });
    assert.deepEqual(classic[0].children[0].children.map((c) => c.description), ['main.go:6  _ = make(map[int]int, 1000)', 'main.go:9'], '3 allocs of 40 KiB before 9 allocs of 90 B');
    const byCount = buildAllocationTree([{ ...runSource(), report: report([classicMapLine(), { ...classicMapLine(9), count: 9, bytes: 90 }]) }], { ...options, sortBy: 'count' });
    assert.deepEqual(byCount[0].children[0].children.map((c) => c.description), ['main.go:9', 'main.go:6  _ = make(map[int]int, 1000)']);
  });

  it('gives a statement that allocated nothing its zero row, and says when it was not reached', () => {
    const zero = buildAllocationTree([stmt('statement:x', lineReport([], 9))], { ...options, sortBy: 'count' });
    assert.equal(zero[0].description, '0 allocs · complete · first run · 09:51:02 · breakpoint engine');
    assert.deepEqual(zero[0].children[0].children.map((c) => [c.label, c.description]), [['first run: 0 allocs', 'main.go:9']]);
    const missed = buildAllocationTree([stmt('statement:y', lineReport([], 9, false))], { ...options, sortBy: 'count' });
    assert.equal(missed[0].description, '0 allocs · not reached · first run · 09:51:02 · breakpoint engine');
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
    assert.deepEqual(text.slice(0, 3), ['main.go  12 allocs · 102.4 KiB', '  7 allocs · 68.4 KiB · 4.6%  main.go:12', '    runtime.growslice  7 allocs · 68.4 KiB']);
  });

  it('says whether a finished run completed or was stopped early, and how it ended', () => {
    const ended = (program: MallocReport['program']): string => buildAllocationTree([{ ...runSource(), live: false, report: { ...runSource().report, program } }], { ...options, sortBy: 'count' })[0].description;
    assert.match(ended({ exitCode: 0 }), / · complete · run · /);
    assert.match(ended({ exitCode: 3 }), / · complete · exit 3 · run · /);
    assert.match(ended({ exitCode: 2, error: 'panic: boom' }), / · complete · panicked · run · /);
    assert.match(ended({}), / · stopped early · run · /, 'no exit seen: the Stop button');
    assert.match(ended(undefined), / · stopped early · /);
  });

  it('numbers sources with the same name in the order they started, and names the engine', () => {
    const first = { ...runSource(), id: 'a', started: STARTED, live: false, report: { ...runSource().report, program: { exitCode: 0 } } };
    const second = { ...runSource(), id: 'b', started: STARTED + 61_000, engine: 'fast' as const };
    const other = { ...runSource(), id: 'c', label: 'Other' };
    const nodes = buildAllocationTree([second, first, other], { ...options, sortBy: 'count' });
    assert.deepEqual(nodes.map((n) => n.label), ['Launch Package #2', 'Launch Package #1', 'Other']);
    assert.match(nodes[0].description, / · running · run · 09:52:03 · fast mode$/);
    assert.match(nodes[1].description, / · complete · run · 09:51:02 · breakpoint engine$/);
    assert.match(nodes[0].tooltip ?? '', /^Launch Package #2\nthe whole run · running\nstarted 09:52:03 · fast mode\ngo1\.26\.8/);
  });
});
