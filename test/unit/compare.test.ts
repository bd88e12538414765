import * as assert from 'node:assert/strict';
import { StackFrame } from '../../src/core/attribution';
import { compareReports } from '../../src/core/compare';
import { comparisonsByLine, describeLineDelta, renderComparisonTable } from '../../src/core/compareText';
import { formatBytesDelta, formatDelta } from '../../src/core/format';
import { buildReport, MallocReport, ReportMeta } from '../../src/core/report';
import { parseReport, ReportFileError } from '../../src/core/reportFile';
import { Tally } from '../../src/core/tally';

const PROJECT = '/home/u/proj';
const GOROOT = '/usr/local/go';
const MAIN = `${PROJECT}/main.go`;
const rt = (name: string): StackFrame => ({ name, path: `${GOROOT}/src/runtime/malloc.go`, line: 1 });
const user = (name: string, line: number): StackFrame => ({ name, path: MAIN, line });
const META: ReportMeta = { go: 'go1.26.1', delve: '1.27.2', buildFlags: '-gcflags=all=-N -l', scope: 'run' };

/** A report from allocations `[function, line, callee, count, size]`, through the real Tally. */
function report(hits: [string, number, string, number, number][], meta: ReportMeta = META): MallocReport {
  const t = new Tally({ include: [PROJECT], exclude: [GOROOT] });
  for (const [fn, line, callee, count, size] of hits) t.record({ size, count, frames: [rt('runtime.mallocgc'), rt(callee), user(fn, line)] });
  t.record({ size: 16, count: 3, frames: [rt('runtime.mallocgc'), rt('runtime.malg'), rt('runtime.schedinit')] });
  return buildReport(meta, t);
}

describe('compare', () => {
  it('formats differences with a real minus sign', () => {
    assert.equal(formatDelta(3), '+3');
    assert.equal(formatDelta(-1000), '\u22121,000');
    assert.equal(formatDelta(0), '±0');
    assert.equal(formatBytesDelta(-2048), '\u22122.0 KiB');
    assert.equal(formatBytesDelta(48), '+48 B');
  });

  it('matches lines by file and line: changed, same, new, gone, and the totals', () => {
    const baseline = report([['main.main', 10, 'runtime.newobject', 5, 8], ['main.main', 11, 'runtime.makeslice', 1, 80], ['main.f', 20, 'runtime.makemap', 2, 48]]);
    const current = report([['main.main', 10, 'runtime.newobject', 8, 8], ['main.main', 11, 'runtime.makeslice', 1, 80], ['main.g', 30, 'runtime.growslice', 1000, 16]]);
    const c = compareReports(current, baseline);
    const at = (line: number) => c.lines.find((l) => l.line === line)!;
    assert.deepEqual([at(10).kind, at(10).delta], ['changed', { count: 3, bytes: 24 }]);
    assert.deepEqual([at(11).kind, at(11).delta], ['same', { count: 0, bytes: 0 }]);
    assert.deepEqual([at(20).kind, at(20).delta, at(20).current], ['gone', { count: -2, bytes: -96 }, { count: 0, bytes: 0 }]);
    assert.deepEqual([at(30).kind, at(30).delta, at(30).baseline], ['new', { count: 1000, bytes: 16000 }, { count: 0, bytes: 0 }]);
    // Largest change first, unchanged last.
    assert.deepEqual(c.lines.map((l) => l.line), [30, 10, 20, 11]);
    assert.deepEqual(c.total.delta, { count: current.total.count - baseline.total.count, bytes: current.total.bytes - baseline.total.bytes });
    assert.deepEqual(c.buckets.map((b) => [b.name, b.delta.count]), [['runtime init', 0]]);
    assert.deepEqual(c.warnings, []);
  });

  it('pairs the lines of a function that all moved by one offset, and says where they were', () => {
    const baseline = report([['main.main', 10, 'runtime.newobject', 5, 8], ['main.f', 20, 'runtime.makemap', 2, 48], ['main.f', 22, 'runtime.makeslice', 1, 64]]);
    // Two lines inserted above f: its lines are now 22 and 24 (22 was baseline's makeslice line).
    const current = report([['main.main', 10, 'runtime.newobject', 5, 8], ['main.f', 22, 'runtime.makemap', 3, 48], ['main.f', 24, 'runtime.makeslice', 1, 64]]);
    const c = compareReports(current, baseline);
    // 22 matched by file+line first (makemap now vs makeslice then); the rest cannot pair by one offset.
    assert.equal(c.lines.find((l) => l.line === 22)?.baselineLine, undefined);

    const moved = report([['main.main', 10, 'runtime.newobject', 5, 8], ['main.f', 25, 'runtime.makemap', 3, 48], ['main.f', 27, 'runtime.makeslice', 1, 64]]);
    const m = compareReports(moved, baseline);
    const row = (line: number) => m.lines.find((l) => l.line === line && l.kind !== 'gone')!;
    assert.deepEqual([row(25).kind, row(25).baselineLine, row(25).delta.count], ['changed', 20, 1]);
    assert.deepEqual([row(27).kind, row(27).baselineLine, row(27).delta.count], ['same', 22, 0]);
    assert.equal(m.lines.some((l) => l.kind === 'gone' || l.kind === 'new'), false);
  });

  it('does not pair a removed line with a new one that makes other calls', () => {
    const baseline = report([['main.main', 10, 'runtime.makemap', 1, 48]]);
    const current = report([['main.main', 12, 'runtime.makeslice', 1, 64]]);
    const c = compareReports(current, baseline);
    assert.deepEqual(c.lines.map((l) => [l.line, l.kind]).sort(), [[10, 'gone'], [12, 'new']]);
  });

  it('says when the two reports are not alike, and renders the table and inline text', () => {
    const baseline = report([['main.main', 10, 'runtime.newobject', 1005, 8]], { ...META, buildFlags: '' });
    const current = report([['main.main', 10, 'runtime.newobject', 5, 8]]);
    const c = compareReports(current, baseline, 'base.json');
    assert.equal(c.warnings.length, 1);
    assert.match(c.warnings[0], /different builds/);
    const row = comparisonsByLine(c, MAIN).get(10)!;
    assert.equal(describeLineDelta(row), '\u22121,000 vs baseline');
    const text = renderComparisonTable(c, 'base.json', PROJECT);
    assert.match(text, /^LOCATION\s+FUNCTION\s+COUNT\s+DELTA/);
    assert.match(text, /main\.go:10\s+main\.main\s+5\s+\u22121,000/);
    assert.match(text, /baseline: base\.json — go1\.26\.1 · Delve 1\.27\.2 · optimized build/);
    assert.match(text, /note: different builds/);
  });
});

describe('reportFile', () => {
  it('reads back what a report serialises to', () => {
    const r = report([['main.main', 10, 'runtime.newobject', 5, 8]]);
    assert.deepEqual(parseReport(JSON.stringify(r), 'r.json'), r);
  });

  it('refuses garbage with the reason', () => {
    assert.throws(() => parseReport('not json', 'x.json'), (e: Error) => e instanceof ReportFileError && /x\.json is not JSON/.test(e.message));
    assert.throws(() => parseReport('[]', 'x.json'), /not a JSON object/);
    assert.throws(() => parseReport('{"total": {"count": 1, "bytes": 1}}', 'x.json'), /no "lines" array/);
    const r = report([['main.main', 10, 'runtime.newobject', 5, 8]]);
    const badLine = { ...r, lines: [{ ...r.lines[0], line: 'ten' }] };
    assert.throws(() => parseReport(JSON.stringify(badLine), 'x.json'), /lines\[0\] is not/);
    assert.throws(() => parseReport(JSON.stringify({ ...r, scope: 'week' }), 'x.json'), /"scope"/);
  });
});
