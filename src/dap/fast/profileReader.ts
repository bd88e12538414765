/**
 * Walks the runtime's memory profile (`runtime.mbuckets`, a list of buckets linked by `allnext`,
 * newest first) in the stopped program. A bucket never changes once published except for its
 * record's counts, and new buckets are only ever put in front, so each read walks the new buckets
 * until the first one it knows and then re-reads every known bucket's counts.
 */
import { allocsOf, BucketHeader, decodeHeader, headerIndexes, HeaderIndexes, LayoutError, MEM_PROFILE, ProfileLayout, recordIndexes, RecordIndexes, WORD } from './profileLayout';
import { hex, WordMemory } from './targetMemory';

export interface ProfileBucket {
  address: bigint;
  /** The size the runtime recorded the allocations with. */
  size: number;
  /**
   * Return PCs, innermost first, as runtime.Callers gives them (inlined calls expanded). Numbers,
   * not bigints: user-space addresses fit in 53 bits, and a profile has millions of them.
   */
  stack: number[];
  /** Allocations recorded in this bucket since profiling started. */
  allocs: number;
}

interface KnownBucket {
  address: bigint;
  header: BucketHeader;
  stack: number[];
  recordAddress: bigint;
}

/** runtime's maxProfStackDepth (Go 1.23+); older runtimes keep at most 32. */
const MAX_STACK = 1024;
/**
 * Words read at once for a new bucket: its header, a stack of typical depth and its record, and
 * below it the buckets allocated just before it (the next ones of the list, usually): one
 * `dlv examinemem` request's worth.
 */
const BUCKET_READ_AHEAD = 40;
const BUCKET_READ_BEHIND = 85;
/** A walk longer than this is a misread, not a profile. */
const MAX_BUCKETS = 1_000_000;

export class ProfileReader {
  private readonly header: HeaderIndexes;
  private readonly record: RecordIndexes;
  /** Newest first, like the runtime's list. */
  private known: KnownBucket[] = [];
  private readonly byAddress = new Set<bigint>();

  /** `head` reads `runtime.mbuckets` (0 while nothing was recorded). */
  constructor(layout: ProfileLayout, private readonly head: () => Promise<bigint>) {
    this.header = headerIndexes(layout);
    this.record = recordIndexes(layout);
  }

  /**
   * Reads the whole profile from `memory`, the program as it is now. `onNewStack` sees each
   * bucket's stack the first time it is read.
   */
  async read(memory: WordMemory, onNewStack: (stack: number[]) => void = () => {}): Promise<ProfileBucket[]> {
    const fresh: KnownBucket[] = [];
    const numbersNow = memory.numbersNow?.bind(memory);
    let address = await this.head();
    while (address !== 0n && !this.byAddress.has(address)) {
      if (fresh.length >= MAX_BUCKETS) throw new LayoutError('the profile bucket list does not end');
      const bucket = numbersNow ? this.bucketAt(address, numbersNow) : await this.readBucket(memory, address);
      onNewStack(bucket.stack);
      fresh.push(bucket);
      address = bucket.header.allnext;
    }
    this.known = [...fresh, ...this.known];
    for (const b of fresh) this.byAddress.add(b.address);
    const records = numbersNow
      ? this.known.map((b) => numbersNow(b.recordAddress, this.record.words))
      : await Promise.all(this.known.map((b) => memory.words(b.recordAddress, this.record.words)));
    return this.known.map((b, i) => ({ address: b.address, size: b.header.size, stack: b.stack, allocs: allocsOf(records[i], this.record) }));
  }

  private async readBucket(memory: WordMemory, address: bigint): Promise<KnownBucket> {
    const header = this.checked(address, await memory.words(address, this.header.words, BUCKET_READ_AHEAD, BUCKET_READ_BEHIND));
    const stackAddress = address + BigInt(this.header.words * WORD);
    return this.bucketOf(address, header, stackAddress, (await memory.words(stackAddress, header.nstk)).map(Number));
  }

  private bucketAt(address: bigint, numbersNow: (address: bigint, count: number) => number[]): KnownBucket {
    const header = this.checked(address, numbersNow(address, this.header.words));
    const stackAddress = address + BigInt(this.header.words * WORD);
    return this.bucketOf(address, header, stackAddress, numbersNow(stackAddress, header.nstk));
  }

  private checked(address: bigint, words: readonly (bigint | number)[]): BucketHeader {
    const header = decodeHeader(words, this.header);
    if (header.typ !== MEM_PROFILE || header.nstk > MAX_STACK) {
      throw new LayoutError(`the bucket at ${hex(address)} does not look like a memory profile bucket (type ${header.typ}, ${header.nstk} frames)`);
    }
    return header;
  }

  private bucketOf(address: bigint, header: BucketHeader, stackAddress: bigint, stack: number[]): KnownBucket {
    return { address, header, stack, recordAddress: stackAddress + BigInt(header.nstk * WORD) };
  }
}
