import * as assert from 'node:assert/strict';
import type { StackFrame, UserCodeRoots } from '../../src/core/attribution';
import { Tally } from '../../src/core/tally';
import type { ProfileBucket } from '../../src/dap/fast/profileReader';
import { CaughtAllocations, fillTally, recordedOnSystemStack } from '../../src/dap/fast/profileTally';

const PROJECT = '/home/u/proj';
const GOROOT = '/usr/local/go';
const roots: UserCodeRoots = { include: [PROJECT], exclude: [GOROOT] };

const rt = (name: string): StackFrame => ({ name, path: `${GOROOT}/src/runtime/proc.go`, line: 100 });
const user = (line: number, name = 'main.main'): StackFrame => ({ name, path: `${PROJECT}/main.go`, line });

/** Buckets and their symbols from frames given per bucket (each PC stands for one frame). */
function profile(specs: { size: number; allocs: number; frames: StackFrame[] }[]): { buckets: ProfileBucket[]; symbols: Map<number, StackFrame> } {
  const symbols = new Map<number, StackFrame>();
  let pc = 0x400000;
  const buckets = specs.map((spec, i) => {
    const stack = spec.frames.map((f) => {
      pc += 0x10;
      symbols.set(pc, f);
      return pc;
    });
    return { address: BigInt(0x1000 * (i + 1)), size: spec.size, allocs: spec.allocs, stack };
  });
  return { buckets, symbols };
}

const none = (): CaughtAllocations => ({ tinyMerges: [], systemStack: new Map() });
const lineCount = (t: Tally, line: number) => t.lineTallies().find((l) => l.line === line)?.count ?? 0;

describe('fast mode: a profile reading as a tally', () => {
  it('counts each bucket allocs times on the line its stack reaches, bytes as recorded', () => {
    const { buckets, symbols } = profile([
      { size: 16, allocs: 3, frames: [rt('runtime.mallocgc'), rt('runtime.newobject'), user(10), rt('runtime.main')] },
      { size: 48, allocs: 2, frames: [rt('runtime.mallocgc'), rt('runtime.makeslice'), user(10), rt('runtime.main')] },
      { size: 8, allocs: 0, frames: [rt('runtime.mallocgc'), user(11)] },
    ]);
    const t = new Tally(roots);
    fillTally(t, { buckets, symbols, roots, stackLimit: 128, ...none() });
    const [line] = t.lineTallies();
    assert.deepEqual([line.line, line.count, line.bytes], [10, 5, 144]);
    assert.deepEqual(line.paths.map((p) => [p.frames.join(' > '), p.count]), [['runtime.newobject > runtime.mallocgc', 3], ['runtime.makeslice > runtime.mallocgc', 2]]);
    assert.equal(lineCount(t, 11), 0, 'a bucket with no allocations adds no line');
  });

  it('adds every merged tiny allocation caught at a stop, with no bytes', () => {
    const t = new Tally(roots);
    const caught = none();
    caught.tinyMerges.push([rt('runtime.mallocgcTiny'), user(12)], [rt('runtime.mallocgcTiny'), user(12)]);
    fillTally(t, { buckets: [], symbols: new Map(), roots, stackLimit: 128, ...caught });
    assert.deepEqual(t.lineTallies().map((l) => [l.line, l.count, l.bytes]), [[12, 2, 0]]);
  });

  it('charges system-stack allocations where the stops at their call site say, and keeps the rest where the profile says', () => {
    const onSystemStack = [rt('runtime.mallocgc'), rt('runtime.newobject'), rt('runtime.malg'), rt('runtime.newproc1'), rt('runtime.newproc.func1'), rt('runtime.systemstack')];
    const { buckets, symbols } = profile([{ size: 448, allocs: 3, frames: onSystemStack }]);
    const site = buckets[0].stack[2];
    const caught = none();
    const viaGoroutine = (line: number) => [rt('runtime.malg'), rt('runtime.systemstack_switch'), rt('runtime.newproc'), user(line)];
    caught.systemStack.set(BigInt(site), [viaGoroutine(20), viaGoroutine(21)]);
    const t = new Tally(roots);
    const notes = fillTally(t, { buckets, symbols, roots, stackLimit: 128, ...caught });
    assert.deepEqual([lineCount(t, 20), lineCount(t, 21)], [1, 1]);
    assert.equal(t.lineTallies()[0].bytes, 448, 'the bytes come from the bucket');
    assert.equal(t.unattributed().count, 1, 'the third allocation had no stop: the profile\'s own stack, a runtime bucket');
    assert.deepEqual(notes, { systemStackUncovered: 1, systemStackUnmatched: 0, truncated: 0 });
    assert.equal(t.totals().count, 3);
  });

  it('pairs a growing slice\'s stops with its buckets smallest first, and does not count stops the profile never saw', () => {
    const growth = [rt('runtime.mallocgc'), rt('runtime.growslice'), rt('runtime.allgadd'), rt('runtime.newproc1'), rt('runtime.systemstack')];
    const { buckets, symbols } = profile([{ size: 512, allocs: 1, frames: growth }, { size: 256, allocs: 1, frames: growth }]);
    // Same stack, different sizes: two buckets share the call site.
    buckets[1].stack = buckets[0].stack;
    const caught = none();
    caught.systemStack.set(BigInt(buckets[0].stack[2]), [[rt('runtime.allgadd'), rt('runtime.systemstack_switch'), user(30)], [rt('runtime.allgadd'), rt('runtime.systemstack_switch'), user(31)], [rt('runtime.allgadd'), user(32)]]);
    caught.systemStack.set(0x999n, [[user(33)]]);
    const t = new Tally(roots);
    const notes = fillTally(t, { buckets, symbols, roots, stackLimit: 128, ...caught });
    assert.deepEqual(t.lineTallies().map((l) => [l.line, l.bytes]).sort(), [[30, 256], [31, 512]]);
    assert.equal(notes.systemStackUnmatched, 2);
    assert.equal(t.totals().count, 2);
  });

  it('counts a profile bucket on a goroutine\'s stack as the profile says even when it passes a caught site', () => {
    const { buckets, symbols } = profile([{ size: 448, allocs: 2, frames: [rt('runtime.mallocgc'), rt('runtime.malg'), rt('runtime.allocm'), rt('runtime.LockOSThread'), user(40), rt('runtime.main')] }]);
    const caught = none();
    caught.systemStack.set(BigInt(buckets[0].stack[1]), [[user(41)]]);
    const t = new Tally(roots);
    fillTally(t, { buckets, symbols, roots, stackLimit: 128, ...caught });
    assert.deepEqual(t.lineTallies().map((l) => [l.line, l.count]), [[40, 2]]);
  });

  it('notes allocations whose stack the runtime cut short before any line of the user\'s', () => {
    const deep = Array.from({ length: 32 }, (_, i) => rt(`encoding/json.level${i}`));
    const { buckets, symbols } = profile([{ size: 32, allocs: 4, frames: deep }]);
    const t = new Tally(roots);
    assert.equal(fillTally(t, { buckets, symbols, roots, stackLimit: 32, ...none() }).truncated, 4);
    assert.equal(fillTally(t, { buckets, symbols, roots, stackLimit: 128, ...none() }).truncated, 0);
  });

  it('refills the tally from scratch on every reading', () => {
    const { buckets, symbols } = profile([{ size: 16, allocs: 1, frames: [rt('runtime.mallocgc'), user(10)] }]);
    const t = new Tally(roots);
    fillTally(t, { buckets, symbols, roots, stackLimit: 128, ...none() });
    buckets[0].allocs = 4;
    fillTally(t, { buckets, symbols, roots, stackLimit: 128, ...none() });
    assert.equal(lineCount(t, 10), 4);
  });

  it('tells a stack recorded on the system stack by where it ends', () => {
    assert.equal(recordedOnSystemStack([rt('runtime.malg'), rt('runtime.systemstack')]), true);
    assert.equal(recordedOnSystemStack([rt('runtime.park_m'), rt('runtime.mcall')]), true);
    assert.equal(recordedOnSystemStack([user(1), rt('runtime.main'), rt('runtime.goexit')]), false);
    assert.equal(recordedOnSystemStack([]), false);
  });
});
