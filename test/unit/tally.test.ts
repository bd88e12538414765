import * as assert from 'node:assert/strict';
import { StackFrame, UserCodeRoots } from '../../src/core/attribution';
import { AllocationHit, Tally, withRuntimeShare } from '../../src/core/tally';

const PROJECT = '/home/u/proj';
const GOROOT = '/usr/local/go';
const roots: UserCodeRoots = { include: [PROJECT], exclude: [GOROOT] };

const rt = (name: string): StackFrame => ({ name, path: `${GOROOT}/src/runtime/malloc.go`, line: 1000 });
const user = (name: string, file: string, line: number): StackFrame => ({ name, path: `${PROJECT}/${file}`, line });

function hit(size: number, ...frames: StackFrame[]): AllocationHit {
  return { size, frames };
}

describe('Tally', () => {
  it('starts empty', () => {
    const t = new Tally(roots);
    assert.deepEqual(t.lineTallies(), []);
    assert.deepEqual(t.bucketTallies(), []);
    assert.deepEqual(t.totals(), { count: 0, bytes: 0 });
    assert.deepEqual(t.unattributed(), { count: 0, bytes: 0 });
  });

  it('groups hits on one line and sums count and bytes', () => {
    const t = new Tally(roots);
    t.record(hit(48, rt('runtime.mallocgc'), rt('runtime.makemap'), user('main.main', 'main.go', 10)));
    t.record(hit(16, rt('runtime.mallocgc'), rt('runtime.makemap'), user('main.main', 'main.go', 10)));
    const lines = t.lineTallies();
    assert.equal(lines.length, 1);
    assert.equal(lines[0].file, `${PROJECT}/main.go`);
    assert.equal(lines[0].line, 10);
    assert.equal(lines[0].function, 'main.main');
    assert.equal(lines[0].count, 2);
    assert.equal(lines[0].bytes, 64);
    assert.deepEqual(lines[0].paths, [{ frames: ['runtime.makemap', 'runtime.mallocgc'], count: 2, bytes: 64 }]);
  });

  it('keeps lines in different files apart even with the same line number', () => {
    const t = new Tally(roots);
    t.record(hit(8, rt('runtime.mallocgc'), user('main.a', 'a.go', 5)));
    t.record(hit(8, rt('runtime.mallocgc'), user('main.b', 'b.go', 5)));
    assert.equal(t.lineTallies().length, 2);
  });

  it('splits a line by call path, most frequent path first', () => {
    const t = new Tally(roots);
    const line = user('main.main', 'main.go', 20);
    t.record(hit(100, rt('runtime.mallocgc'), rt('runtime.growslice'), line));
    t.record(hit(8, rt('runtime.mallocgc'), rt('runtime.newobject'), line));
    t.record(hit(8, rt('runtime.mallocgc'), rt('runtime.newobject'), line));
    t.record(hit(8, rt('runtime.mallocgc'), rt('runtime.newobject'), line));
    const [l] = t.lineTallies();
    assert.equal(l.count, 4);
    assert.equal(l.bytes, 124);
    assert.deepEqual(l.paths.map((p) => [p.frames, p.count, p.bytes]), [
      [['runtime.newobject', 'runtime.mallocgc'], 3, 24],
      [['runtime.growslice', 'runtime.mallocgc'], 1, 100],
    ]);
  });

  it('orders paths with equal counts by bytes', () => {
    const t = new Tally(roots);
    const line = user('main.main', 'main.go', 20);
    t.record(hit(8, rt('runtime.mallocgc'), rt('runtime.newobject'), line));
    t.record(hit(4096, rt('runtime.mallocgc'), rt('runtime.makeslice'), line));
    const [l] = t.lineTallies();
    assert.deepEqual(l.paths.map((p) => p.frames[0]), ['runtime.makeslice', 'runtime.newobject']);
  });

  it('charges the line in the innermost user frame and keeps the callee frames in the path', () => {
    const t = new Tally(roots);
    const where = t.record(hit(32, rt('runtime.mallocgc'), rt('runtime.newobject'), user('main.helper', 'h.go', 3), user('main.main', 'main.go', 8)));
    assert.deepEqual(where, { kind: 'line', file: `${PROJECT}/h.go`, line: 3, function: 'main.helper', frameIndex: 2 });
    const [l] = t.lineTallies();
    assert.equal(l.line, 3);
    assert.deepEqual(l.paths[0].frames, ['runtime.newobject', 'runtime.mallocgc']);
  });

  it('sorts lines by count, then bytes, then file, then line', () => {
    const t = new Tally(roots);
    const rec = (n: number, size: number, file: string, line: number) => {
      for (let i = 0; i < n; i++) t.record(hit(size, rt('runtime.mallocgc'), user('main.f', file, line)));
    };
    rec(1, 8, 'b.go', 2);
    rec(1, 8, 'a.go', 9);
    rec(1, 8, 'a.go', 3);
    rec(1, 64, 'z.go', 1);
    rec(3, 8, 'y.go', 7);
    assert.deepEqual(t.lineTallies().map((l) => `${l.file.slice(PROJECT.length + 1)}:${l.line}`), [
      'y.go:7', // 3 allocations
      'z.go:1', // 1 allocation, 64 bytes
      'a.go:3', // ties on count and bytes: by file, then line
      'a.go:9',
      'b.go:2',
    ]);
  });

  it('puts allocations without a user frame in named buckets', () => {
    const t = new Tally(roots);
    t.record(hit(16, rt('runtime.mallocgc'), rt('runtime.malg'), rt('runtime.schedinit'), rt('runtime.rt0_go')));
    t.record(hit(24, rt('runtime.mallocgc'), { name: 'fmt.Sprintf', path: `${GOROOT}/src/fmt/print.go`, line: 239 }));
    t.record(hit(24, rt('runtime.mallocgc'), { name: 'fmt.Sprintf', path: `${GOROOT}/src/fmt/print.go`, line: 239 }));
    t.record({ size: 8, frames: [] });
    const buckets = t.bucketTallies();
    assert.deepEqual(buckets.map((b) => [b.name, b.count, b.bytes]), [
      ['library', 2, 48],
      ['runtime init', 1, 16],
      ['no stack', 1, 8],
    ]);
    // Bucket paths are the whole stack, outermost first.
    assert.deepEqual(buckets[0].paths, [{ frames: ['fmt.Sprintf', 'runtime.mallocgc'], count: 2, bytes: 48 }]);
    assert.deepEqual(buckets[1].paths[0].frames, ['runtime.rt0_go', 'runtime.schedinit', 'runtime.malg', 'runtime.mallocgc']);
    assert.deepEqual(t.lineTallies(), []);
  });

  it('totals lines and buckets; unattributed is the bucket sum', () => {
    const t = new Tally(roots);
    t.record(hit(100, rt('runtime.mallocgc'), user('main.main', 'main.go', 1)));
    t.record(hit(200, rt('runtime.mallocgc'), user('main.main', 'main.go', 2)));
    t.record(hit(7, rt('runtime.mallocgc'), rt('runtime.gcBgMarkWorker')));
    t.record(hit(5, rt('runtime.mallocgc'), { name: 'unicode.init', path: `${GOROOT}/src/unicode/tables.go`, line: 1 }));
    assert.deepEqual(t.totals(), { count: 4, bytes: 312 });
    assert.deepEqual(t.unattributed(), { count: 2, bytes: 12 });
    const lineSum = t.lineTallies().reduce((s, l) => s + l.count, 0);
    assert.equal(lineSum + t.unattributed().count, t.totals().count);
  });

  it('returns a copy from totals()', () => {
    const t = new Tally(roots);
    t.record(hit(8, rt('runtime.mallocgc'), user('main.main', 'main.go', 1)));
    const before = t.totals();
    before.count = 999;
    assert.deepEqual(t.totals(), { count: 1, bytes: 8 });
  });

  it('bumps generation on every record and on clear', () => {
    const t = new Tally(roots);
    const g0 = t.generation;
    t.record(hit(8, rt('runtime.mallocgc'), user('main.main', 'main.go', 1)));
    t.record({ size: 8, frames: [] });
    assert.equal(t.generation, g0 + 2);
    t.clear();
    assert.equal(t.generation, g0 + 3);
  });

  it('clear() forgets lines, buckets and totals', () => {
    const t = new Tally(roots);
    t.record(hit(8, rt('runtime.mallocgc'), user('main.main', 'main.go', 1)));
    t.record({ size: 8, frames: [] });
    t.clear();
    assert.deepEqual(t.lineTallies(), []);
    assert.deepEqual(t.bucketTallies(), []);
    assert.deepEqual(t.totals(), { count: 0, bytes: 0 });
    assert.deepEqual(t.unattributed(), { count: 0, bytes: 0 });
    // And counts afresh afterwards.
    t.record(hit(16, rt('runtime.mallocgc'), user('main.main', 'main.go', 1)));
    assert.deepEqual(t.lineTallies().map((l) => [l.count, l.bytes]), [[1, 16]]);
  });

  it('does not let callers mutate its state through returned tallies', () => {
    const t = new Tally(roots);
    t.record(hit(8, rt('runtime.mallocgc'), user('main.main', 'main.go', 1)));
    const [l] = t.lineTallies();
    l.count = 100;
    l.paths.length = 0;
    const [again] = t.lineTallies();
    assert.equal(again.count, 1);
    assert.equal(again.paths.length, 1);
  });
  it('keeps what the runtime allocated on a line\'s behalf apart from the line\'s own, by reason', () => {
    const t = new Tally(roots);
    const line = user('main.main', 'main.go', 8);
    t.record({ ...hit(48, rt('runtime.mallocgcSmallNoscan'), rt('runtime.newobject'), line), count: 1000 });
    t.record({ ...hit(96, rt('runtime.mallocgc'), rt('runtime.malg'), rt('runtime.newproc1'), rt('runtime.gcBgMarkStartWorkers'), rt('runtime.gcStart'), rt('runtime.mallocgc'), line), count: 4 });
    t.record(hit(1024, rt('runtime.mallocgc'), rt('runtime.allocm'), rt('runtime.newm'), rt('runtime.startm'), rt('runtime.wakep'), rt('runtime.newproc'), line));
    const [tally] = t.lineTallies();
    assert.deepEqual([tally.count, tally.bytes], [1000, 48_000], 'the line\'s own allocations only');
    assert.deepEqual(tally.runtime, {
      count: 5, bytes: 4 * 96 + 1024,
      reasons: [{ reason: 'GC start', count: 4, bytes: 384 }, { reason: 'new thread', count: 1, bytes: 1024 }],
    });
    assert.equal(withRuntimeShare(tally), 1005, 'what MemStats counts for the line');
    assert.equal(t.totals().count, 1005, 'nothing is lost from the total');
    assert.deepEqual(tally.paths.map((p) => p.count), [1000], 'the runtime\'s share is not among the line\'s paths');
  });

  it('calls a GC start that made a thread the GC\'s, and a line with no share has none', () => {
    const t = new Tally(roots);
    t.record(hit(8, rt('runtime.mallocgc'), rt('runtime.allocm'), rt('runtime.newm'), rt('runtime.gcStart'), rt('runtime.mallocgc'), user('main.f', 'f.go', 3)));
    t.record(hit(8, rt('runtime.mallocgc'), user('main.g', 'g.go', 4)));
    const byFile = new Map(t.lineTallies().map((l) => [l.file, l]));
    assert.deepEqual(byFile.get(`${PROJECT}/f.go`)?.runtime?.reasons.map((r) => r.reason), ['GC start']);
    assert.equal(byFile.get(`${PROJECT}/g.go`)?.runtime, undefined);
  });

  it('puts what a GC assist allocates (ending the mark phase, say) beside the line, not in it', () => {
    const t = new Tally(roots);
    const assisted = [rt('runtime.mallocgc'), rt('runtime.newobject'), rt('runtime.acquireSudog'), rt('runtime.semacquire1'), rt('runtime.gcMarkDone'), rt('runtime.gcAssistAlloc'), rt('runtime.deductAssistCredit'), rt('runtime.mallocgc'), rt('runtime.newobject')];
    t.record(hit(8, ...assisted, user('main.f', 'f.go', 3)));
    t.record(hit(48, rt('runtime.mallocgc'), rt('runtime.newobject'), user('main.f', 'f.go', 3)));
    const [line] = t.lineTallies();
    assert.deepEqual([line.count, line.runtime?.count, line.runtime?.reasons.map((r) => r.reason)], [1, 1, ['GC assist']]);
  });
});
