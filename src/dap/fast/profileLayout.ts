/**
 * The memory profile's records as the Go runtime lays them out (runtime/mprof.go): a `bucket`
 * header, then `nstk` return PCs, then a `memRecord` (the published cycle `active` and three
 * `future` cycles, each a `memRecordCycle` starting with `allocs`). The offsets come from the
 * binary's DWARF at run time; this module only decodes words with them and refuses a layout that
 * lacks what it needs (Go 1.27 dropped the byte counts from memRecordCycle, for instance).
 */
import { RECORD_TOTAL } from '../../core/runtimePatch';

export interface StructLayout {
  size: number;
  fields: Record<string, number>;
  /** `<field>Count` for array fields (memRecord's `futureCount`). */
  [count: `${string}Count`]: number;
}

/**
 * What the symbolizer reports for runtime.bucket, runtime.memRecord and runtime.memRecordCycle;
 * and, where the binary has them, the structs and variables the runtime's own allocation count is
 * read through (runtimeMallocs.ts).
 */
export interface ProfileLayout {
  bucket: StructLayout;
  memRecord: StructLayout;
  memRecordCycle: StructLayout;
  mstats?: StructLayout;
  consistentHeapStats?: StructLayout;
  heapStatsDelta?: StructLayout;
  p?: StructLayout;
  mcache?: StructLayout;
  mspan?: StructLayout;
  /** Addresses (hexadecimal) of `runtime.memstats`, `runtime.allp`, `runtime.emptymspan`, when the executable is not position-independent. */
  globals?: Record<string, string>;
}

export const WORD = 8;

/** runtime's bucketType for the memory profile (`memProfile = 1 + iota`). */
export const MEM_PROFILE = 1;

/** The header fields read from each bucket, as word indexes. */
export interface HeaderIndexes {
  words: number;
  allnext: number;
  typ: number;
  size: number;
  nstk: number;
}

export interface RecordIndexes {
  words: number;
  /** Word indexes of `allocs` in `active` and in every future cycle. */
  allocs: number[];
}

export class LayoutError extends Error {}

function wordIndex(layout: StructLayout, field: string, what: string): number {
  const offset = layout.fields[field];
  if (offset === undefined) throw new LayoutError(`${what} has no field ${field}`);
  if (offset % WORD !== 0) throw new LayoutError(`${what}.${field} is not word-aligned (offset ${offset})`);
  return offset / WORD;
}

export function headerIndexes(layout: ProfileLayout): HeaderIndexes {
  const b = layout.bucket;
  if (b.size % WORD !== 0) throw new LayoutError(`runtime.bucket is ${b.size} bytes, not whole words`);
  return {
    words: b.size / WORD,
    allnext: wordIndex(b, 'allnext', 'runtime.bucket'),
    typ: wordIndex(b, 'typ', 'runtime.bucket'),
    size: wordIndex(b, 'size', 'runtime.bucket'),
    nstk: wordIndex(b, 'nstk', 'runtime.bucket'),
  };
}

export function recordIndexes(layout: ProfileLayout): RecordIndexes {
  const record = layout.memRecord;
  const cycle = layout.memRecordCycle;
  const futureCycles = record.futureCount;
  if (!futureCycles) throw new LayoutError('runtime.memRecord has no future cycles array');
  if (record.size % WORD !== 0 || cycle.size % WORD !== 0) throw new LayoutError('runtime.memRecord is not whole words');
  const allocs = wordIndex(cycle, 'allocs', 'runtime.memRecordCycle');
  const active = wordIndex(record, 'active', 'runtime.memRecord');
  const future = wordIndex(record, 'future', 'runtime.memRecord');
  const cycleWords = cycle.size / WORD;
  // Fast mode's runtime keeps a total that no stop sees half-folded (core/runtimePatch.ts, 6).
  if (record.fields[RECORD_TOTAL] !== undefined) return { words: record.size / WORD, allocs: [wordIndex(record, RECORD_TOTAL, 'runtime.memRecord')] };
  return {
    words: record.size / WORD,
    allocs: [active + allocs, ...Array.from({ length: futureCycles }, (_, i) => future + i * cycleWords + allocs)],
  };
}

export interface BucketHeader {
  allnext: bigint;
  typ: number;
  /** The size the allocation was recorded with (the bucket is keyed by stack and size). */
  size: number;
  nstk: number;
}

/** `words` as read (bigints), or as numbers where they were read so (every field is an address or a small count). */
export function decodeHeader(words: readonly (bigint | number)[], at: HeaderIndexes): BucketHeader {
  return { allnext: BigInt(words[at.allnext]), typ: Number(words[at.typ]), size: Number(words[at.size]), nstk: Number(words[at.nstk]) };
}

/**
 * Every allocation recorded in a bucket: fast mode's runtime's total, or else the published cycle
 * plus the cycles not yet published. (The stock runtime counts a malloc into cycle C+2 and folds
 * cycles into `active` after GCs, while the program runs; a program stopped between a fold's
 * two writes shows that bucket's cycle twice. The overlay's total has no such moment.)
 */
export function allocsOf(record: readonly (bigint | number)[], at: RecordIndexes): number {
  return at.allocs.reduce((sum, i) => sum + Number(record[i]), 0);
}
