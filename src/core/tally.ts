/**
 * Per-line allocation tallies: count and bytes per user source line, broken down by the call path
 * below the line, plus named buckets for allocations no user frame can be charged with.
 */
import { attribute, Attribution, Bucket, callPath, isUserFile, onBehalfReason, RuntimeReason, StackFrame, UserCodeRoots } from './attribution';
import { ReportFrame, StackTable, StackTableReport } from './stackTable';

export interface AllocationHit {
  /** Requested size in bytes (the allocator's `size` argument). */
  size: number;
  /** Innermost first; frame 0 is the allocator. */
  frames: StackFrame[];
  goroutine?: number;
  /** What an inspector learned about the object (kind, type, elements…), for statement anatomy. */
  details?: Record<string, unknown>;
  /** How many allocations of this size and stack the hit stands for (a profile bucket); default 1. */
  count?: number;
  /** Bytes of all `count` allocations, when not `size × count` (a sampled profile's estimate). */
  bytes?: number;
  /** The stack was cut before its outermost frame (a depth limit): callers may be missing. */
  truncated?: boolean;
  /** Names the stack for the stack table when the caller knows it (a profile bucket's address). */
  stackKey?: number;
}

/** One allocation of a line, in the order it happened (kept only when asked for: line scope). */
export interface AllocationRecord {
  bytes: number;
  /** The call path below the line, outermost first. */
  frames: string[];
  [detail: string]: unknown;
}

export interface Amount {
  count: number;
  bytes: number;
}

export interface PathTally extends Amount {
  frames: string[];
}

/**
 * Who called a line, as `pprof -peek` shows it: the nearest user frames above the line
 * (outermost first, at most CALLER_DEPTH), or the one frame above when no user frame is
 * (`runtime.main`, `testing.tRunner`).
 */
export interface CallerTally extends Amount {
  frames: ReportFrame[];
  /** The recorded stack ended early: there may be callers above these. */
  truncated?: true;
}

/** User frames kept per caller chain: enough to tell init from setup from the benchmark loop. */
export const CALLER_DEPTH = 3;

/** What the runtime allocated on a line's behalf while it ran (not counted in the line's own). */
export interface RuntimeShare extends Amount {
  reasons: (Amount & { reason: RuntimeReason })[];
}

export interface LineTally extends Amount {
  file: string;
  line: number;
  function: string;
  paths: PathTally[];
  /** The line's allocations split by who called it (most first). */
  callers?: CallerTally[];
  /** Present when the runtime allocated on the line's behalf. */
  runtime?: RuntimeShare;
  /** Every allocation in order, when the tally keeps them (line scope). */
  allocations?: AllocationRecord[];
}

export interface BucketTally extends Amount {
  name: Bucket;
  paths: PathTally[];
}

interface MutableLine extends Amount {
  file: string;
  line: number;
  function: string;
  paths: Map<string, PathTally>;
  callers: Map<string, CallerTally>;
  allocations: AllocationRecord[];
  runtime: Map<RuntimeReason, Amount>;
}

function byAmount(a: Amount, b: Amount): number {
  return b.count - a.count || b.bytes - a.bytes;
}

function addPath(paths: Map<string, PathTally>, frames: string[], count: number, bytes: number): void {
  const key = frames.join('\n');
  const entry = paths.get(key) ?? { frames, count: 0, bytes: 0 };
  entry.count += count;
  entry.bytes += bytes;
  paths.set(key, entry);
}

function reportFrame(f: StackFrame): ReportFrame {
  return { function: f.name, ...(f.path ? { file: f.path } : {}), ...(f.line !== undefined ? { line: f.line } : {}) };
}

/** The caller chain of the user frame at `userFrameIndex`, outermost first. */
export function callerFrames(frames: StackFrame[], userFrameIndex: number, roots: UserCodeRoots): StackFrame[] {
  const chain: StackFrame[] = [];
  for (let i = userFrameIndex + 1; i < frames.length && chain.length < CALLER_DEPTH; i++) {
    if (frames[i].line !== undefined && isUserFile(frames[i].path, roots)) chain.push(frames[i]);
  }
  if (chain.length === 0 && userFrameIndex + 1 < frames.length) chain.push(frames[userFrameIndex + 1]);
  return chain.reverse();
}

/**
 * Keys of frames, by frame object: a profile hands the same object for a PC every time, so a
 * reading of tens of thousands of buckets builds each frame's key once.
 */
const frameKeys = new WeakMap<StackFrame, string>();

function frameKey(f: StackFrame): string {
  let key = frameKeys.get(f);
  if (key === undefined) frameKeys.set(f, (key = `${f.name}\t${f.path}:${f.line}`));
  return key;
}

function addCaller(callers: Map<string, CallerTally>, chain: StackFrame[], count: number, bytes: number, truncated: boolean): void {
  let key = truncated ? 't' : '';
  for (let i = 0; i < chain.length; i++) key += i === 0 ? frameKey(chain[i]) : `\n${frameKey(chain[i])}`;
  const entry = callers.get(key) ?? { frames: chain.map(reportFrame), count: 0, bytes: 0, ...(truncated ? { truncated: true as const } : {}) };
  entry.count += count;
  entry.bytes += bytes;
  callers.set(key, entry);
}

function runtimeShare(reasons: Map<RuntimeReason, Amount>): RuntimeShare {
  const list = [...reasons.entries()].map(([reason, a]) => ({ reason, ...a })).sort(byAmount);
  return { count: list.reduce((n, r) => n + r.count, 0), bytes: list.reduce((n, r) => n + r.bytes, 0), reasons: list };
}

export class Tally {
  private readonly lines = new Map<string, MutableLine>();
  private readonly buckets = new Map<Bucket, { count: number; bytes: number; paths: Map<string, PathTally> }>();
  private total: Amount = { count: 0, bytes: 0 };
  /** Whole stacks, for pprof. */
  private readonly stacks = new StackTable();
  /** Bumped on every change so that observers can throttle. */
  generation = 0;

  /** `keepAllocations`: remember each allocation in order (for a statement's anatomy), not just sums. */
  constructor(private roots: UserCodeRoots, private readonly keepAllocations = false) {}

  /**
   * Attribution happens when an allocation is recorded, so roots learned late (a DAP launch names
   * the program only after the session started) must arrive before the first allocation.
   */
  setRoots(roots: UserCodeRoots): void {
    this.roots = roots;
  }

  record(hit: AllocationHit): Attribution {
    const where = attribute(hit.frames, this.roots);
    const n = hit.count ?? 1;
    const bytes = hit.bytes ?? hit.size * n;
    this.total.count += n;
    this.total.bytes += bytes;
    this.generation += 1;
    this.stacks.add(hit.frames, n, bytes, hit.truncated, hit.stackKey);
    if (where.kind === 'line') {
      const key = `${where.file}:${where.line}`;
      const line: MutableLine = this.lines.get(key) ?? {
        file: where.file, line: where.line, function: where.function, count: 0, bytes: 0, paths: new Map(), callers: new Map(), allocations: [], runtime: new Map(),
      };
      this.lines.set(key, line);
      const reason = onBehalfReason(hit.frames, where.frameIndex);
      if (reason) {
        const share = line.runtime.get(reason) ?? { count: 0, bytes: 0 };
        share.count += n;
        share.bytes += bytes;
        line.runtime.set(reason, share);
        return where;
      }
      line.count += n;
      line.bytes += bytes;
      const path = callPath(hit.frames, where.frameIndex);
      addPath(line.paths, path, n, bytes);
      addCaller(line.callers, callerFrames(hit.frames, where.frameIndex, this.roots), n, bytes, hit.truncated ?? false);
      if (this.keepAllocations) for (let i = 0; i < n; i++) line.allocations.push({ ...hit.details, bytes: hit.size, frames: path });
    } else {
      const bucket = this.buckets.get(where.bucket) ?? { count: 0, bytes: 0, paths: new Map() };
      bucket.count += n;
      bucket.bytes += bytes;
      addPath(bucket.paths, callPath(hit.frames, hit.frames.length), n, bytes);
      this.buckets.set(where.bucket, bucket);
    }
    return where;
  }

  /** Lines sorted by count, then bytes; paths likewise. */
  lineTallies(): LineTally[] {
    return [...this.lines.values()]
      .map((l) => ({
        file: l.file, line: l.line, function: l.function, count: l.count, bytes: l.bytes, paths: [...l.paths.values()].sort(byAmount),
        callers: [...l.callers.values()].sort(byAmount),
        ...(l.runtime.size > 0 ? { runtime: runtimeShare(l.runtime) } : {}),
        ...(this.keepAllocations ? { allocations: [...l.allocations] } : {}),
      }))
      .sort((a, b) => byAmount(a, b) || a.file.localeCompare(b.file) || a.line - b.line);
  }

  bucketTallies(): BucketTally[] {
    return [...this.buckets.entries()]
      .map(([name, b]) => ({ name, count: b.count, bytes: b.bytes, paths: [...b.paths.values()].sort(byAmount) }))
      .sort(byAmount);
  }

  unattributed(): Amount {
    let count = 0;
    let bytes = 0;
    for (const b of this.buckets.values()) {
      count += b.count;
      bytes += b.bytes;
    }
    return { count, bytes };
  }

  /** Every distinct whole stack with its count and bytes (runtime shares and buckets included). */
  stackTable(): StackTableReport {
    return this.stacks.report();
  }

  totals(): Amount {
    return { ...this.total };
  }

  clear(): void {
    this.lines.clear();
    this.buckets.clear();
    this.stacks.clear();
    this.total = { count: 0, bytes: 0 };
    this.generation += 1;
  }
}

/**
 * A line's own allocations and what the runtime allocated on its behalf: for a line run by one
 * goroutine, what `runtime.MemStats.Mallocs` counts while it runs.
 */
export function withRuntimeShare(line: Amount & { runtime?: Amount }): number {
  return line.count + (line.runtime?.count ?? 0);
}
