/**
 * Every distinct whole stack an allocation came from, with its count and bytes: what a pprof
 * profile needs (one sample per call stack). Frames are interned once and stacks are keyed by
 * their frame numbers, so 100k distinct stacks of 30 frames cost a few tens of MB, not a copy of
 * every frame per allocation.
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
  ids: Uint32Array;
  count: number;
  bytes: number;
  truncated: boolean;
}

export class StackTable {
  private readonly frames: ReportFrame[] = [];
  private readonly frameIds = new Map<string, number>();
  /** A profile hands the same frame object for a PC every time: skip building its key. */
  private readonly byObject = new WeakMap<StackFrame, number>();
  private readonly samples = new Map<string, MutableSample>();

  add(frames: StackFrame[], count: number, bytes: number, truncated = false): void {
    const ids = new Uint32Array(frames.length);
    for (let i = 0; i < frames.length; i++) ids[i] = this.frameId(frames[i]);
    const key = `${truncated ? 't' : ''}${ids.join(',')}`;
    const sample = this.samples.get(key);
    if (sample) {
      sample.count += count;
      sample.bytes += bytes;
    } else {
      this.samples.set(key, { ids, count, bytes, truncated });
    }
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
      const stack = Array.from(s.ids, (id) => {
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
