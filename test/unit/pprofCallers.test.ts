import * as assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import { buildAllocationTree } from '../../src/core/allocationTree';
import type { StackFrame, UserCodeRoots } from '../../src/core/attribution';
import { lineCountsForFile } from '../../src/core/inlineCounts';
import { renderLineHover } from '../../src/core/lineHover';
import { PprofReadError, readPprof } from '../../src/core/pprofIn';
import { encodePprof, PprofExportError, reportToProfile } from '../../src/core/pprofOut';
import { buildReport, MallocReport } from '../../src/core/report';
import { renderLinesTable } from '../../src/core/reportText';
import { StackTable } from '../../src/core/stackTable';
import { CALLER_DEPTH, Tally } from '../../src/core/tally';

const PROJECT = '/home/u/proj';
const GOROOT = '/usr/local/go';
const roots: UserCodeRoots = { include: [PROJECT], exclude: [GOROOT] };
const rt = (name: string, line = 1000): StackFrame => ({ name, path: `${GOROOT}/src/runtime/proc.go`, line });
const user = (name: string, line: number): StackFrame => ({ name, path: `${PROJECT}/main.go`, line });
const META = { go: 'go1.26.8', delve: '1.27.2', buildFlags: '-gcflags=all=-N -l', scope: 'run' as const, engine: 'fast' as const };

/** mk's line 5 reached from fromA (3 allocations of 80 B) and fromB (2 of 800 B), and main's own line 30. */
function sampleTally(): Tally {
  const t = new Tally(roots);
  const alloc = [rt('runtime.mallocgc'), rt('runtime.makeslice')];
  const bottom = [user('main.main', 20), rt('runtime.main', 283), rt('runtime.goexit', 1700)];
  for (let i = 0; i < 3; i++) t.record({ size: 80, frames: [...alloc, user('main.mk', 5), user('main.fromA', 10), ...bottom] });
  t.record({ size: 800, count: 2, frames: [...alloc, user('main.mk', 5), user('main.fromB', 15), ...bottom] });
  t.record({ size: 16, frames: [rt('runtime.mallocgc'), user('main.main', 30), rt('runtime.main', 283), rt('runtime.goexit', 1700)] });
  t.record({ size: 32, frames: [rt('runtime.mallocgc'), rt('runtime.schedinit'), rt('runtime.rt0_go')] });
  return t;
}

describe('callers: each line split by the user frames above it', () => {
  it('groups a line by its caller chain, outermost first, most first', () => {
    const mk = sampleTally().lineTallies().find((l) => l.line === 5)!;
    assert.deepEqual(mk.callers?.map((c) => [c.frames.map((f) => `${f.function}:${f.line}`), c.count, c.bytes]), [
      [['main.main:20', 'main.fromB:15'], 2, 1600],
      [['main.main:20', 'main.fromA:10'], 3, 240],
    ].sort((a, b) => (b[1] as number) - (a[1] as number)));
    assert.equal(mk.callers!.reduce((n, c) => n + c.count, 0), mk.count);
  });

  it('names the frame above when no user frame called the line (runtime.main)', () => {
    const main = sampleTally().lineTallies().find((l) => l.line === 30)!;
    assert.deepEqual(main.callers?.map((c) => c.frames.map((f) => f.function)), [['runtime.main']]);
  });

  it(`keeps at most ${CALLER_DEPTH} user frames, and marks a chain whose stack was cut`, () => {
    const t = new Tally(roots);
    const deep = Array.from({ length: 10 }, (_, i) => user('main.deep', 40 + i));
    t.record({ size: 8, frames: [rt('runtime.mallocgc'), user('main.mk', 5), ...deep], truncated: true });
    const [caller] = t.lineTallies()[0].callers!;
    assert.equal(caller.frames.length, CALLER_DEPTH);
    assert.deepEqual(caller.frames.map((f) => f.line), [42, 41, 40]);
    assert.equal(caller.truncated, true);
  });
});

describe('stack table', () => {
  it('merges equal stacks, by frames or by the key the caller gives, and renumbers frames in use', () => {
    const table = new StackTable();
    const a = [rt('runtime.mallocgc'), user('main.f', 3)];
    table.add(a, 1, 16);
    table.add([{ ...a[0] }, { ...a[1] }], 2, 32);
    table.add([rt('runtime.mallocgc'), user('main.g', 4)], 1, 8, false, 0xc000);
    table.add([rt('runtime.mallocgc'), user('main.g', 4)], 4, 32, false, 0xc000);
    const report = table.report();
    assert.deepEqual(report.samples, [{ stack: [0, 1], count: 3, bytes: 48 }, { stack: [0, 2], count: 5, bytes: 40 }]);
    assert.deepEqual(report.frames.map((f) => f.function), ['runtime.mallocgc', 'main.f', 'main.g']);
    table.clear();
    assert.deepEqual(table.report(), { frames: [], samples: [] });
  });

  it('holds every allocation of the tally: the stacks add up to the total', () => {
    const t = sampleTally();
    const stacks = t.stackTable();
    assert.deepEqual({ count: stacks.samples.reduce((n, s) => n + s.count, 0), bytes: stacks.samples.reduce((n, s) => n + s.bytes, 0) }, t.totals());
  });
});

describe('pprof out and in', () => {
  it('writes alloc_objects and alloc_space per stack, with functions and lines, period 1', () => {
    const report = buildReport(META, sampleTally(), { stacks: true });
    const profile = Profile.decode(reportToProfile(report).encode());
    const s = (i: unknown) => profile.stringTable.strings[Number(i)];
    assert.deepEqual(profile.sampleType.map((t) => `${s(t.type)}/${s(t.unit)}`), ['alloc_objects/count', 'alloc_space/bytes']);
    assert.equal(Number(profile.period), 1);
    assert.equal(profile.sample.reduce((n, x) => n + Number(x.value[0]), 0), report.total.count);
    assert.equal(profile.sample.reduce((n, x) => n + Number(x.value[1]), 0), report.total.bytes);
    const fn = new Map(profile.function.map((f) => [Number(f.id), f]));
    const leafNames = profile.sample.map((x) => {
      const loc = profile.location.find((l) => Number(l.id) === Number(x.locationId[0]))!;
      return s(fn.get(Number(loc.line[0].functionId))!.name);
    });
    assert.ok(leafNames.every((n) => n === 'runtime.mallocgc'), 'innermost frame first, as pprof wants');
  });

  it('reads back what it wrote: the same lines, callers and buckets (sampled at rate 1)', () => {
    const tally = sampleTally();
    const report = buildReport(META, tally, { stacks: true });
    const back = readPprof(encodePprof(report), { file: '/tmp/x.pb.gz', roots, kind: 'alloc' });
    assert.deepEqual(back.sampled, { file: '/tmp/x.pb.gz', rate: 1, kind: 'alloc' });
    assert.deepEqual(back.total, report.total);
    assert.deepEqual(back.lines.map((l) => [l.line, l.count, l.bytes, l.callers?.length]), report.lines.map((l) => [l.line, l.count, l.bytes, l.callers?.length]));
    assert.deepEqual(back.unattributed.buckets.map((b) => [b.name, b.count]), report.unattributed.buckets.map((b) => [b.name, b.count]));
  });

  it('refuses a report without stacks, and a sampled one', () => {
    const report = buildReport(META, sampleTally());
    assert.throws(() => reportToProfile(report), PprofExportError);
    const sampled = { ...buildReport(META, sampleTally(), { stacks: true }), sampled: { file: 'p', rate: 512, kind: 'alloc' as const } };
    assert.throws(() => reportToProfile(sampled), PprofExportError);
  });

  it('reads inlined frames innermost first, takes the profile\'s values as they are, and uses inuse_* on request', () => {
    const strings = new StringTable();
    const str = (t: string) => strings.dedup(t);
    const types = ['alloc_objects', 'alloc_space', 'inuse_objects', 'inuse_space'].map((t, i) => new ValueType({ type: str(t), unit: str(i % 2 ? 'bytes' : 'count') }));
    const fns = [new PprofFunction({ id: 1, name: str('main.inner'), filename: str(`${PROJECT}/main.go`) }), new PprofFunction({ id: 2, name: str('main.outer'), filename: str(`${PROJECT}/main.go`) })];
    const loc = new Location({ id: 1, address: 0x1000, line: [new Line({ functionId: 1, line: 7 }), new Line({ functionId: 2, line: 12 })] });
    const profile = new Profile({
      sampleType: types, function: fns, location: [loc], stringTable: strings, period: 524288,
      periodType: new ValueType({ type: str('space'), unit: str('bytes') }),
      sample: [new Sample({ locationId: [1], value: [3277, 419456, 1000, 128000] })],
    });
    const raw = profile.encode();
    const alloc = readPprof(raw, { file: 'heap', roots, kind: 'alloc' });
    assert.deepEqual(alloc.lines.map((l) => [l.function, l.line, l.count, l.bytes]), [['main.inner', 7, 3277, 419456]]);
    assert.deepEqual(alloc.lines[0].callers?.[0].frames.map((f) => f.function), ['main.outer']);
    assert.equal(alloc.sampled?.rate, 524288);
    const inuse = readPprof(gzipSync(raw), { file: 'heap', roots, kind: 'inuse' });
    assert.deepEqual(inuse.lines.map((l) => [l.count, l.bytes]), [[1000, 128000]]);
  });

  it('says what is wrong with a file that is not a heap profile', () => {
    assert.throws(() => readPprof(Buffer.from('hello'), { file: 'x', roots, kind: 'alloc' }), PprofReadError);
    assert.throws(() => readPprof(Buffer.from([0x1f, 0x8b, 1, 2]), { file: 'x', roots, kind: 'alloc' }), /not a gzipped profile/);
    const strings = new StringTable();
    const cpu = new Profile({ sampleType: [new ValueType({ type: strings.dedup('samples'), unit: strings.dedup('count') }), new ValueType({ type: strings.dedup('cpu'), unit: strings.dedup('nanoseconds') })], stringTable: strings });
    assert.throws(() => readPprof(cpu.encode(), { file: 'x', roots, kind: 'alloc' }), /no alloc_objects and alloc_space samples \(it has samples, cpu\)/);
  });
});

describe('sampled sources in the editor: marked ≈, never written like counts', () => {
  const exact = buildReport(META, sampleTally(), { stacks: true });
  const sampled: MallocReport = readPprof(encodePprof(exact), { file: '/tmp/allocs.pb.gz', roots, kind: 'alloc' });
  sampled.sampled!.rate = 4096;
  const file = `${PROJECT}/main.go`;

  it('shows a profile beside a run, each said as what it is', () => {
    const counts = lineCountsForFile([
      { id: 'run', label: 'run', kind: 'debug', report: exact, started: 1 },
      { id: 'p', label: 'p', kind: 'profile', report: sampled, started: 2 },
    ], file);
    assert.deepEqual(counts.find((c) => c.line === 5)?.text, 'run: 5 allocs · 1.8 KiB — sampled: ≈5 allocs · ≈1.8 KiB');
  });

  it('marks the tree and puts "called from" under a line', () => {
    const [source] = buildAllocationTree([{ id: 'p', label: 'allocs.pb.gz (pprof)', kind: 'profile', report: sampled, live: false, started: 0 }], { sortBy: 'count', roots: [PROJECT] });
    assert.match(source.description, /^≈7 allocs · ≈1\.8 KiB · sampled · 1 sample per 4\.0 KiB · allocated · /);
    assert.equal(source.state, 'sampled');
    const mk = source.children[0].children.find((c) => c.location?.line === 5)!;
    assert.match(mk.label, /^≈5 allocs/);
    const called = mk.children.find((c) => c.type === 'callers')!;
    assert.deepEqual(called.children.map((c) => [c.label, c.description, c.location?.line]), [
      ['≈3 allocs · ≈240 B', 'main.main:20 → main.fromA:10', 10],
      ['≈2 allocs · ≈1.6 KiB', 'main.main:20 → main.fromB:15', 15],
    ]);
  });

  it('says the sampling rate in the hover and the table, and lists callers', () => {
    const line = sampled.lines.find((l) => l.line === 5)!;
    const hover = renderLineHover({ line, report: sampled, source: 'allocs.pb.gz (pprof)' });
    assert.match(hover, /^\*\*sampled: ≈5 allocs · ≈1\.8 KiB\*\*/);
    assert.match(hover, /\*\*Called from\*\*\n\n- `main\.main:20 → main\.fromA:10` · ≈3 allocs · ≈240 B\n- `main\.main:20 → main\.fromB:15` · ≈2 allocs · ≈1\.6 KiB/);
    assert.match(hover, /1 sample per 4\.0 KiB \(MemProfileRate 4,096\): the runtime's estimates, not counts/);
    const table = renderLinesTable(sampled, PROJECT);
    assert.match(table, /main\.go:5\s+main\.mk\s+≈5\s+≈1,840/);
    assert.match(table, /total: ≈7 allocations/);
    const exactHover = renderLineHover({ line: exact.lines.find((l) => l.line === 5)!, report: exact, source: 'run' });
    assert.doesNotMatch(exactHover, /≈/);
    assert.match(exactHover, /\*\*Called from\*\*/);
  });
});
