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

  /** A word reader for one reading, by cached pages. */
  reading(): WordMemory {
    const pages = new Map<number, Buffer>();
    const page = (index: number): Buffer => {
      const known = pages.get(index);
      if (known) return known;
      let bytes: Buffer;
      try {
        bytes = this.read(BigInt(index) * BigInt(PAGE_BYTES), PAGE_BYTES * READ_AHEAD_PAGES);
      } catch {
        // The pages after this one are not all mapped: this one alone.
        bytes = this.read(BigInt(index) * BigInt(PAGE_BYTES), PAGE_BYTES);
      }
      for (let i = 0; i * PAGE_BYTES < bytes.length; i++) pages.set(index + i, bytes.subarray(i * PAGE_BYTES, (i + 1) * PAGE_BYTES));
      return pages.get(index) ?? Buffer.alloc(0);
    };
    return {
      words: async (address: bigint, count: number) => {
        if (address % BigInt(WORD) !== 0n) throw new MemoryReadError(`unaligned address ${hex(address)}`);
        const out: bigint[] = new Array(count);
        let at = Number(address);
        for (let i = 0; i < count; i++, at += WORD) {
          const bytes = page(Math.floor(at / PAGE_BYTES));
          const offset = at % PAGE_BYTES;
          if (offset + WORD > bytes.length) throw new MemoryReadError(`cannot read ${count} words at ${hex(address)}: unmapped`);
          out[i] = bytes.readBigUInt64LE(offset);
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
