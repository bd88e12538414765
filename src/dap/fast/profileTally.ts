/**
 * Turns one reading of the runtime's memory profile, plus the allocations caught at hidden stops,
 * into the same tally the breakpoint engine builds:
 *
 * - each profile bucket stands for `allocs` allocations with one stack: attributed once, counted
 *   `allocs` times;
 * - a bucket made on the system stack whose stack passes a caught call site gives up one allocation
 *   per stop there, and that allocation is charged where Delve's stack at the stop (which reaches
 *   into the goroutine) says;
 * - merged tiny allocations, which the profile never sees, are added one per stop, with no bytes
 *   (they take no new memory: the runtime's profile would not count bytes for them either).
 */
import type { StackFrame, UserCodeRoots } from '../../core/attribution';
import { isUserFile } from '../../core/attribution';
import type { Tally } from '../../core/tally';
import type { ProfileBucket } from './profileReader';

/** Where a goroutine's or a thread's system stack begins: a profile stack ending here was recorded off the goroutine. */
const SYSTEM_STACK_BOTTOMS = new Set(['runtime.systemstack', 'runtime.mcall', 'runtime.morestack', 'runtime.mstart', 'runtime.mstart0', 'runtime.mstart1', 'runtime.rt0_go']);

export function recordedOnSystemStack(frames: StackFrame[]): boolean {
  const last = frames[frames.length - 1];
  return last !== undefined && SYSTEM_STACK_BOTTOMS.has(last.name);
}

export interface CaughtAllocations {
  /** Frames of each merged tiny allocation, in the order caught. */
  tinyMerges: StackFrame[][];
  /** Per call site (its return address), the frames of each system-stack allocation caught there, in order. */
  systemStack: Map<bigint, StackFrame[][]>;
}

export interface ProfileTallyInput extends CaughtAllocations {
  buckets: ProfileBucket[];
  /** Every bucket PC, symbolized. */
  symbols: Map<number, StackFrame>;
  roots: UserCodeRoots;
  /** The most frames the runtime records per stack (32 before Go 1.23, `profstackdepth` after). */
  stackLimit: number;
}

export interface ProfileTallyNotes {
  /** System-stack allocations no caught site accounts for (charged where the profile says). */
  systemStackUncovered: number;
  /** Stops at a system-stack site beyond what the profile recorded there (not counted). */
  systemStackUnmatched: number;
  /** Allocations whose recorded stack hit the runtime's depth limit without reaching user code. */
  truncated: number;
}

/** The stack filled the runtime's buffer without reaching a goroutine's or thread's first frame. */
function cutShort(bucket: ProfileBucket, frames: StackFrame[], stackLimit: number): boolean {
  const last = frames[frames.length - 1];
  return bucket.stack.length >= stackLimit && !(last && (last.name === 'runtime.goexit' || SYSTEM_STACK_BOTTOMS.has(last.name)));
}

function framesOf(bucket: ProfileBucket, symbols: Map<number, StackFrame>): StackFrame[] {
  return bucket.stack.map((pc) => symbols.get(pc) ?? { name: '???' });
}

/** Clears `tally` and fills it from the profile and the caught allocations. */
export function fillTally(tally: Tally, input: ProfileTallyInput): ProfileTallyNotes {
  tally.clear();
  const notes: ProfileTallyNotes = { systemStackUncovered: 0, systemStackUnmatched: 0, truncated: 0 };
  const bySite = new Map<bigint, { bucket: ProfileBucket; frames: StackFrame[] }[]>();
  const sites = new Map([...input.systemStack.keys()].map((address) => [Number(address), address]));
  for (const bucket of input.buckets) {
    if (bucket.allocs === 0) continue;
    const frames = framesOf(bucket, input.symbols);
    const pc = sites.size > 0 && recordedOnSystemStack(frames) ? bucket.stack.find((p) => sites.has(p)) : undefined;
    const site = pc === undefined ? undefined : sites.get(pc);
    if (site !== undefined) {
      bySite.set(site, [...(bySite.get(site) ?? []), { bucket, frames }]);
      continue;
    }
    if (recordedOnSystemStack(frames)) notes.systemStackUncovered += bucket.allocs;
    if (bucket.stack.length >= input.stackLimit && !frames.some((f) => isUserFile(f.path, input.roots))) notes.truncated += bucket.allocs;
    tally.record({ size: bucket.size, frames, count: bucket.allocs, truncated: cutShort(bucket, frames, input.stackLimit), stackKey: Number(bucket.address) });
  }
  for (const [site, recorded] of bySite) {
    const caught = [...(input.systemStack.get(site) ?? [])];
    // Stops come in time order; a growing slice's buckets grow in size, so smallest first pairs them.
    recorded.sort((a, b) => a.bucket.size - b.bucket.size);
    for (const { bucket, frames } of recorded) {
      const charged = caught.splice(0, bucket.allocs);
      for (const stopFrames of charged) tally.record({ size: bucket.size, frames: stopFrames });
      const rest = bucket.allocs - charged.length;
      if (rest > 0) {
        notes.systemStackUncovered += rest;
        tally.record({ size: bucket.size, frames, count: rest, truncated: cutShort(bucket, frames, input.stackLimit) });
      }
    }
    notes.systemStackUnmatched += caught.length;
  }
  for (const [site, caught] of input.systemStack) if (!bySite.has(site)) notes.systemStackUnmatched += caught.length;
  for (const frames of input.tinyMerges) tally.record({ size: 0, frames });
  return notes;
}
