/**
 * Reads the debugged program's memory straight from /proc/PID/mem, at memory speed: the proxy runs
 * on the program's machine as root or as its ancestor (Yama's ptrace scope 1 allows ancestors),
 * so the kernel lets it read what Delve reads, stopped or running. Reads go by pages of
 * `PAGE_BYTES`, kept for one reading (the program changes memory when it runs).
 *
 * Where the file cannot be opened or read (Delve on another machine, a stricter ptrace scope) the
 * caller falls back to Delve's own requests (targetMemory.ts).
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { WORD } from './profileLayout';
import { hex, MemoryReadError, WordMemory } from './targetMemory';

/** The kernel's page: a read that starts in an unmapped one fails whole. */
const PAGE_BYTES = 4096;
/** Pages read at once when they are all mapped. */
const READ_AHEAD_PAGES = 16;

export class ProcessMemory {
  private constructor(private readonly fd: number, readonly writable: boolean) {}

  /** Opens the process's memory (for writing too where allowed); undefined when the kernel refuses. */
  static open(pid: number): ProcessMemory | undefined {
    for (const [flags, writable] of [['r+', true], ['r', false]] as const) {
      try {
        return new ProcessMemory(openSync(`/proc/${pid}/mem`, flags), writable);
      } catch {
        // the next way, or none
      }
    }
    return undefined;
  }

  /** Writes one word at `address` (the program is stopped). */
  writeWord(address: bigint, value: bigint): void {
    const bytes = Buffer.alloc(WORD);
    bytes.writeBigUInt64LE(BigInt.asUintN(64, value));
    if (!this.writable || writeSync(this.fd, bytes, 0, WORD, Number(address)) !== WORD) throw new MemoryReadError(`cannot write at ${hex(address)}`);
  }

  /** Reads `length` bytes at `address`, or fewer where the mapping ends. */
  read(address: bigint, length: number): Buffer {
    const buffer = Buffer.alloc(length);
    let done = 0;
    while (done < length) {
      let n: number;
      try {
        n = readSync(this.fd, buffer, done, length - done, Number(address) + done);
      } catch (e) {
        if (done > 0) break;
        throw new MemoryReadError(`cannot read ${length} bytes at ${hex(address)}: ${(e as Error).message}`);
      }
      if (n <= 0) break;
      done += n;
    }
    return buffer.subarray(0, done);
  }

  /** A word reader for one reading, by cached chunks of `READ_AHEAD_PAGES` pages. */
  reading(): WordMemory {
    const chunkBytes = PAGE_BYTES * READ_AHEAD_PAGES;
    const chunkWords = chunkBytes / WORD;
    /** `whole`: every word of the chunk was read. */
    const chunks = new Map<number, { words: BigUint64Array; halves: Uint32Array; readable: (word: number) => boolean; whole: boolean }>();
    /** One chunk's words as far as they are mapped (its pages read one by one where needed). */
    const chunk = (index: number) => {
      const known = chunks.get(index);
      if (known) return known;
      const start = BigInt(index) * BigInt(chunkBytes);
      let bytes: Buffer;
      let unmapped: Set<number> | undefined;
      try {
        bytes = this.read(start, chunkBytes);
      } catch {
        // The chunk starts in an unmapped page: its mapped pages, each on its own.
        bytes = Buffer.alloc(chunkBytes);
        unmapped = new Set<number>();
        for (let page = 0; page < READ_AHEAD_PAGES; page++) {
          try {
            this.read(start + BigInt(page * PAGE_BYTES), PAGE_BYTES).copy(bytes, page * PAGE_BYTES);
          } catch {
            unmapped.add(page);
          }
        }
      }
      const length = Math.floor(bytes.length / WORD);
      // A view needs an aligned offset; Buffer.alloc of a chunk's size owns its memory (offset 0).
      const aligned = bytes.byteOffset % WORD === 0 ? bytes : Buffer.from(bytes);
      const words = new BigUint64Array(aligned.buffer, aligned.byteOffset, length);
      const halves = new Uint32Array(aligned.buffer, aligned.byteOffset, length * 2);
      const holes = unmapped;
      const readable = (word: number) => word < length && !holes?.has(Math.floor((word * WORD) / PAGE_BYTES));
      const entry = { words, halves, readable, whole: !holes && length === chunkWords };
      chunks.set(index, entry);
      return entry;
    };
    type Chunk = ReturnType<typeof chunk>;
    /** Visits [address, address + count words) chunk by chunk: `take(chunk, its first word, n, out index)`. */
    const segments = (address: bigint, count: number, take: (c: Chunk, word: number, n: number, i: number) => void): void => {
      if (address % BigInt(WORD) !== 0n) throw new MemoryReadError(`unaligned address ${hex(address)}`);
      let at = Number(address) / WORD;
      for (let i = 0; i < count; ) {
        const index = Math.floor(at / chunkWords);
        const c = chunk(index);
        const word = at - index * chunkWords;
        // A chunk read whole needs no check per word (most reads: a bucket's header, stack, record).
        let n = c.whole ? Math.min(count - i, chunkWords - word) : 0;
        while (!c.whole && i + n < count && c.readable(word + n)) n++;
        if (n === 0) throw new MemoryReadError(`cannot read ${count} words at ${hex(address)}: unmapped`);
        take(c, word, n, i);
        i += n;
        at += n;
      }
    };
    const wordsNow = (address: bigint, count: number): bigint[] => {
      const out: bigint[] = new Array<bigint>(count);
      segments(address, count, (c, word, n, i) => {
        for (let k = 0; k < n; k++) out[i + k] = c.words[word + k];
      });
      return out;
    };
    const numbersNow = (address: bigint, count: number): number[] => {
      const out: number[] = new Array<number>(count).fill(0);
      // Little-endian halves: exact as long as the high half is below 2^21.
      segments(address, count, (c, word, n, i) => {
        for (let k = 0, h = 2 * word; k < n; k++, h += 2) out[i + k] = c.halves[h] + c.halves[h + 1] * 0x1_0000_0000;
      });
      return out;
    };
    return { wordsNow, numbersNow, words: async (address, count) => wordsNow(address, count) };
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
