/**
 * Reads the debugged program's memory straight from /proc/PID/mem, at memory speed: the proxy runs
 * on the program's machine as root or as its ancestor (Yama's ptrace scope 1 allows ancestors),
 * so the kernel lets it read what Delve reads, stopped or running. Reads go by pages of
 * `PAGE_BYTES`, kept for one reading (the program changes memory when it runs).
 *
 * Where the file cannot be opened or read (Delve on another machine, a stricter ptrace scope) the
 * caller falls back to Delve's own requests (targetMemory.ts).
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { WORD } from './profileLayout';
import { hex, MemoryReadError, WordMemory } from './targetMemory';

/** The kernel's page: a read that starts in an unmapped one fails whole. */
const PAGE_BYTES = 4096;
/** Pages read at once when they are all mapped. */
const READ_AHEAD_PAGES = 16;

export class ProcessMemory {
  private constructor(private readonly fd: number) {}

  /** Opens the process's memory; undefined when the kernel refuses. */
  static open(pid: number): ProcessMemory | undefined {
    try {
      return new ProcessMemory(openSync(`/proc/${pid}/mem`, 'r'));
    } catch {
      return undefined;
    }
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
    const chunks = new Map<number, Buffer>();
    /** Pages that could not be read, by chunk. */
    const holes = new Map<number, Set<number>>();
    /** The bytes of one chunk as far as they are mapped (a chunk's pages read one by one where needed). */
    const chunk = (index: number): Buffer => {
      const known = chunks.get(index);
      if (known) return known;
      const start = BigInt(index) * BigInt(chunkBytes);
      let bytes: Buffer;
      try {
        bytes = this.read(start, chunkBytes);
      } catch {
        // The chunk starts in an unmapped page: its mapped pages, each on its own.
        bytes = Buffer.alloc(chunkBytes);
        const unmapped = new Set<number>();
        for (let page = 0; page < READ_AHEAD_PAGES; page++) {
          try {
            this.read(start + BigInt(page * PAGE_BYTES), PAGE_BYTES).copy(bytes, page * PAGE_BYTES);
          } catch {
            unmapped.add(page);
          }
        }
        holes.set(index, unmapped);
      }
      chunks.set(index, bytes);
      return bytes;
    };
    return {
      words: async (address: bigint, count: number) => {
        if (address % BigInt(WORD) !== 0n) throw new MemoryReadError(`unaligned address ${hex(address)}`);
        const out: bigint[] = new Array(count);
        let at = Number(address);
        let i = 0;
        while (i < count) {
          const index = Math.floor(at / chunkBytes);
          const bytes = chunk(index);
          let offset = at - index * chunkBytes;
          const unmapped = holes.get(index);
          const readable = (o: number) => o + WORD <= bytes.length && !unmapped?.has(Math.floor(o / PAGE_BYTES));
          if (!readable(offset)) throw new MemoryReadError(`cannot read ${count} words at ${hex(address)}: unmapped`);
          for (; i < count && readable(offset); i++, offset += WORD, at += WORD) out[i] = bytes.readBigUInt64LE(offset);
        }
        return out;
      },
    };
  }

  close(): void {
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
  }
}
