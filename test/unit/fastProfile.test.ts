import * as assert from 'node:assert/strict';
import { allocsOf, decodeHeader, headerIndexes, LayoutError, ProfileLayout, recordIndexes } from '../../src/dap/fast/profileLayout';
import { ProfileReader } from '../../src/dap/fast/profileReader';
import { parseElement, parseExamined, parseInlineArray, RangeCache, WordSource } from '../../src/dap/fast/targetMemory';

/** runtime.bucket and runtime.memRecord as Go 1.19 and 1.26 compile them (Go 1.27 drops the byte counts). */
function layout(cycleWords: 4 | 2): ProfileLayout {
  const cycleFields: Record<string, number> = cycleWords === 4 ? { allocs: 0, frees: 8, alloc_bytes: 16, free_bytes: 24 } : { allocs: 0, frees: 8 };
  return {
    bucket: { size: 48, fields: { next: 0, allnext: 8, typ: 16, hash: 24, size: 32, nstk: 40 } },
    memRecord: { size: 4 * cycleWords * 8, fields: { active: 0, future: cycleWords * 8 }, futureCount: 3 },
    memRecordCycle: { size: cycleWords * 8, fields: cycleFields },
  };
}

/** A fake process memory: words at addresses, and a record of every read. */
class FakeMemory {
  readonly words = new Map<bigint, bigint>();
  reads = 0;

  set(address: bigint, values: (bigint | number)[]): void {
    values.forEach((v, i) => this.words.set(address + BigInt(i * 8), BigInt(v)));
  }

  readonly source: WordSource = async (address, count) => {
    this.reads += 1;
    const out: bigint[] = [];
    for (let i = 0; i < count; i++) {
      const w = this.words.get(address + BigInt(i * 8));
      if (w === undefined) throw new Error(`unmapped ${address + BigInt(i * 8)}`);
      out.push(w);
    }
    return out;
  };
}

/** Writes a bucket the way runtime.newBucket lays it out: header, stack, record. */
function writeBucket(memory: FakeMemory, l: ProfileLayout, address: bigint, next: bigint, size: number, stack: number[], cycles: number[]): void {
  const cycleWords = l.memRecordCycle.size / 8;
  const record: number[] = [];
  for (const allocs of cycles) record.push(allocs, 999, ...Array(cycleWords - 2).fill(777));
  memory.set(address, [0, next, 1, 0xabcdef, size, stack.length, ...stack, ...record]);
}

describe('fast mode: the profile record layout', () => {
  it('finds the header fields and every cycle\'s allocs from the DWARF offsets (Go 1.26 and 1.27 shapes)', () => {
    for (const cycleWords of [4, 2] as const) {
      const l = layout(cycleWords);
      assert.deepEqual(headerIndexes(l), { words: 6, allnext: 1, typ: 2, size: 4, nstk: 5 });
      assert.deepEqual(recordIndexes(l).allocs, [0, cycleWords, 2 * cycleWords, 3 * cycleWords]);
      assert.equal(recordIndexes(l).words, 4 * cycleWords);
    }
  });

  it('adds the published cycle and the three future ones', () => {
    const at = recordIndexes(layout(4));
    const record = [5n, 1n, 80n, 16n, 2n, 0n, 32n, 0n, 0n, 0n, 0n, 0n, 7n, 0n, 112n, 0n];
    assert.equal(allocsOf(record, at), 14);
    assert.deepEqual(decodeHeader([0n, 0x10n, 1n, 9n, 48n, 3n], headerIndexes(layout(4))), { allnext: 0x10n, typ: 1, size: 48, nstk: 3 });
  });

  it('reads fast mode\'s never-folded total alone where the record has one, so a fold caught halfway counts once', () => {
    const l = layout(4);
    l.memRecord = { ...l.memRecord, size: l.memRecord.size + 8, fields: { ...l.memRecord.fields, malloclensAllocs: 128 } };
    const at = recordIndexes(l);
    assert.deepEqual(at, { words: 17, allocs: [16] });
    // Stopped inside the GC's fold: cycle C (7) is already in active (5 + 7) and not yet cleared.
    const record = [12n, 0n, 0n, 0n, 2n, 0n, 0n, 0n, 0n, 0n, 0n, 0n, 7n, 0n, 0n, 0n, 14n];
    assert.equal(allocsOf(record, recordIndexes(layout(4))), 21, 'the cycles read as the stock runtime has them: 7 twice');
    assert.equal(allocsOf(record, at), 14);
  });

  it('refuses a layout it cannot read instead of guessing', () => {
    const noAllocs = layout(2);
    noAllocs.memRecordCycle.fields = { frees: 8 };
    assert.throws(() => recordIndexes(noAllocs), LayoutError);
    const unaligned = layout(4);
    unaligned.bucket.fields.nstk = 44;
    assert.throws(() => headerIndexes(unaligned), /not word-aligned/);
    const noFuture = layout(4);
    delete (noFuture.memRecord as Partial<ProfileLayout['memRecord']>).futureCount;
    assert.throws(() => recordIndexes(noFuture), /no future cycles/);
  });
});

describe('fast mode: reading memory through Delve\'s answers', () => {
  it('parses an inline array only when Delve loaded all of it', () => {
    assert.deepEqual(parseInlineArray('[3]uintptr [0,140561382412952,1]', 3), [0n, 140561382412952n, 1n]);
    assert.equal(parseInlineArray('(loaded 64/100) [100]uintptr [0,1,...+36 more]', 100), undefined);
    assert.equal(parseInlineArray('[3]uintptr [0,1]', 3), undefined, 'a short answer is not the memory');
    assert.deepEqual(parseInlineArray('[0]uintptr []', 0), []);
  });

  it('parses array elements and examinemem dumps', () => {
    assert.equal(parseElement('123 = 0x7b'), 123n);
    assert.equal(parseElement('18446744073709551615 = 0xffffffffffffffff'), 18446744073709551615n);
    assert.throws(() => parseElement('unreadable'));
    const dump = '0x5634c0:   0x0000000000000000   0x00007f86fb4ac000\n0x5634d0:   0x0000000000004000   \n';
    assert.deepEqual(parseExamined(dump), [0n, 0x7f86fb4ac000n, 0x4000n]);
    assert.equal(parseExamined('examine memory error: input/output error'), undefined);
  });

  it('serves overlapping reads from what one stop already read, and retries short when reading ahead fails', async () => {
    const memory = new FakeMemory();
    memory.set(0x1000n, [1, 2, 3, 4]);
    const cache = new RangeCache(memory.source);
    assert.deepEqual(await cache.words(0x1000n, 2, 10), [1n, 2n], 'reading ahead past mapped memory falls back to the exact read');
    assert.equal(memory.reads, 2);
    assert.deepEqual(await cache.words(0x1008n, 1), [2n], 'inside what was read: no new read');
    assert.equal(memory.reads, 2);
    assert.deepEqual(await cache.words(0x1000n, 4, 4), [1n, 2n, 3n, 4n]);
    assert.equal(memory.reads, 3);
    await assert.rejects(cache.words(0x1004n, 1), /unaligned/);
    await assert.rejects(cache.words(0x2000n, 1), /unmapped/);
  });

  it('reads the words below along when asked, so that the next bucket down costs nothing', async () => {
    const memory = new FakeMemory();
    memory.set(0x1000n, [1, 2, 3, 4, 5, 6]);
    const cache = new RangeCache(memory.source);
    assert.deepEqual(await cache.words(0x1020n, 2, 2, 4), [5n, 6n]);
    assert.deepEqual(await cache.words(0x1000n, 3), [1n, 2n, 3n]);
    assert.equal(memory.reads, 1);
    assert.deepEqual(await new RangeCache(memory.source).words(0x1000n, 2, 2, 8), [1n, 2n], 'nothing mapped below: the exact read');
  });
});

describe('fast mode: walking runtime.mbuckets', () => {
  const l = layout(4);

  it('reads every bucket, newest first, with its stack, size and all its cycles', async () => {
    const memory = new FakeMemory();
    writeBucket(memory, l, 0x3000n, 0x2000n, 16, [0x401000, 0x402000], [1, 2, 0, 3]);
    writeBucket(memory, l, 0x2000n, 0n, 48, [0x403000], [10, 0, 0, 0]);
    const reader = new ProfileReader(l, async () => 0x3000n);
    const stacks: number[][] = [];
    const buckets = await reader.read(new RangeCache(memory.source), (s) => stacks.push(s));
    assert.deepEqual(buckets.map((b) => ({ address: b.address, size: b.size, stack: b.stack, allocs: b.allocs })), [
      { address: 0x3000n, size: 16, stack: [0x401000, 0x402000], allocs: 6 },
      { address: 0x2000n, size: 48, stack: [0x403000], allocs: 10 },
    ]);
    assert.equal(stacks.length, 2, 'each new stack is handed out for symbolizing');
  });

  it('on the next reading walks only the new buckets and re-reads every count', async () => {
    const memory = new FakeMemory();
    writeBucket(memory, l, 0x2000n, 0n, 48, [0x403000], [1, 0, 0, 0]);
    let head = 0x2000n;
    const reader = new ProfileReader(l, async () => head);
    await reader.read(new RangeCache(memory.source));
    writeBucket(memory, l, 0x5000n, 0x2000n, 32, [0x404000], [4, 0, 0, 0]);
    writeBucket(memory, l, 0x2000n, 0n, 48, [0x403000], [1, 0, 5, 0]);
    head = 0x5000n;
    const stacks: number[][] = [];
    const buckets = await reader.read(new RangeCache(memory.source), (s) => stacks.push(s));
    assert.deepEqual(buckets.map((b) => [b.address, b.allocs]), [[0x5000n, 4], [0x2000n, 6]]);
    assert.deepEqual(stacks, [[0x404000]], 'the known bucket\'s stack is not read again');
  });

  it('reads nothing when nothing was recorded yet', async () => {
    assert.deepEqual(await new ProfileReader(l, async () => 0n).read(new RangeCache(new FakeMemory().source)), []);
  });

  it('refuses memory that is not a memory-profile bucket', async () => {
    const memory = new FakeMemory();
    memory.set(0x2000n, [0, 0, 2, 0, 8, 1, 0x401000, ...Array(16).fill(0)]);
    await assert.rejects(new ProfileReader(l, async () => 0x2000n).read(new RangeCache(memory.source)), LayoutError);
  });
});
