/**
 * Every distinct whole stack an allocation came from, with its count and bytes: what a pprof
 * profile needs (one sample per call stack). A sample keeps the frame array it was recorded with
 * (a profile's frames are shared objects, one per PC) and frames are interned only when the
 * table is reported, so re-reading a profile of 100k buckets costs a Map entry per bucket.
 */
import type { StackFrame } from './attribution';

/** A frame as the report lists it: function, and source position when the frame has one. */
export interface ReportFrame {
  function: string;
  file?: string;
  line?: number;
}

export interface StackSample {
  /** Indexes into `StackTableReport.frames`, innermost (the allocator) first. */
  stack: number[];
  count: number;
  bytes: number;
  /** The stack was cut before its outermost frame (the runtime's or Delve's depth limit). */
  truncated?: true;
}

export interface StackTableReport {
  frames: ReportFrame[];
  samples: StackSample[];
}

interface MutableSample {
  /** The frames as recorded; interned when the table is reported, not per allocation. */
  frames: StackFrame[];
  count: number;
  bytes: number;
  truncated: boolean;
}

export class StackTable {
  private readonly frames: ReportFrame[] = [];
  private readonly frameIds = new Map<string, number>();
  /** A profile hands the same frame object for a PC every time: skip building its key. */
  private readonly byObject = new WeakMap<StackFrame, number>();
  private readonly samples = new Map<string | number, MutableSample>();

  /**
   * `key` names the stack when the caller already knows it (a profile bucket's address): then
   * nothing is built per allocation. Without one the key is made from the interned frames.
   */
  add(frames: StackFrame[], count: number, bytes: number, truncated = false, key?: number): void {
    const k = key ?? this.keyOf(frames, truncated);
    const sample = this.samples.get(k);
    if (sample) {
      sample.count += count;
      sample.bytes += bytes;
    } else {
      this.samples.set(k, { frames, count, bytes, truncated });
    }
  }

  private keyOf(frames: StackFrame[], truncated: boolean): string {
    let key = truncated ? 't' : '';
    for (const f of frames) key += `${this.frameId(f)},`;
    return key;
  }

  get size(): number {
    return this.samples.size;
  }

  /** Keeps the interned frames (a profile re-reading finds the same ones), drops the samples. */
  clear(): void {
    this.samples.clear();
  }

  /** The table with only the frames its samples use, renumbered in order of first use. */
  report(): StackTableReport {
    const renumber = new Map<number, number>();
    const frames: ReportFrame[] = [];
    const samples: StackSample[] = [];
    for (const s of this.samples.values()) {
      const stack = s.frames.map((f) => {
        const id = this.frameId(f);
        let n = renumber.get(id);
        if (n === undefined) {
          n = frames.length;
          renumber.set(id, n);
          frames.push(this.frames[id]);
        }
        return n;
      });
      samples.push({ stack, count: s.count, bytes: s.bytes, ...(s.truncated ? { truncated: true as const } : {}) });
    }
    return { frames, samples };
  }

  private frameId(frame: StackFrame): number {
    const known = this.byObject.get(frame);
    if (known !== undefined) return known;
    const key = `${frame.name}\n${frame.path ?? ''}\n${frame.line ?? ''}`;
    let id = this.frameIds.get(key);
    if (id === undefined) {
      id = this.frames.length;
      this.frames.push({ function: frame.name, ...(frame.path ? { file: frame.path } : {}), ...(frame.line !== undefined ? { line: frame.line } : {}) });
      this.frameIds.set(key, id);
    }
    this.byObject.set(frame, id);
    return id;
  }
}
