/**
 * Which runtime functions the hidden breakpoints go on, per Go version.
 *
 * Every heap object must be seen exactly once. Up to Go 1.23 `runtime.mallocgc` is the single
 * choke point. From Go 1.24 mallocgc dispatches to size-class "leaf" functions, and Go 1.27 (or 1.26
 * with GOEXPERIMENT=sizespecializedmalloc) has the compiler call size-specialized leaves directly,
 * bypassing mallocgc. Breaking on the leaves instead of mallocgc covers both routes with one stop per
 * object, and a zero-size request (which mallocgc answers with &zerobase, uncounted by MemStats)
 * never reaches a leaf.
 */
import { atLeast, Version } from './versions';

export interface AllocatorSet {
  /** Function names for `setFunctionBreakpoints`; names the binary lacks come back unverified and are dropped. */
  functions: string[];
  /** mallocgc is also entered with size 0, which allocates nothing. */
  sizeZeroPossible: boolean;
}

const SPLIT_LEAVES = [
  'runtime.mallocgcTiny',
  'runtime.mallocgcSmallNoscan',
  'runtime.mallocgcSmallScanNoHeader',
  'runtime.mallocgcSmallScanHeader',
  'runtime.mallocgcLarge',
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** Size-specialized entry points (never their *SlowPath helpers, which only the entries call). */
function specializedLeaves(): string[] {
  return [
    'runtime.mallocgcTinySC2',
    ...range(2, 26).map((n) => `runtime.mallocgcSmallNoScanSC${n}`),
    ...range(1, 26).map((n) => `runtime.mallocgcSmallScanNoHeaderSC${n}`),
    // Go 1.26 with the experiment: the tiny variants were renamed during the 1.26 cycle.
    ...range(1, 15).map((n) => `runtime.mallocTiny${n}`),
    ...range(1, 15).map((n) => `runtime.mallocgcTinySize${n}`),
  ];
}

export function allocatorsFor(go: Version): AllocatorSet {
  if (!atLeast(go, 1, 24)) {
    return { functions: ['runtime.mallocgc'], sizeZeroPossible: true };
  }
  const functions = [...SPLIT_LEAVES];
  if (atLeast(go, 1, 26)) functions.push(...specializedLeaves());
  return { functions, sizeZeroPossible: false };
}

/** Frames are innermost first. Delve trims import paths to the last '/', which leaves `runtime.` intact. */
export function isAllocatorFrame(name: string, set: AllocatorSet): boolean {
  return set.functions.includes(name);
}

/**
 * A leaf entered from another leaf (Go 1.26's secret-mode cross calls) is the same object: only the
 * outermost allocator frame counts.
 */
export function isNestedAllocatorHit(frameNames: string[], set: AllocatorSet): boolean {
  return frameNames.slice(1).some((name) => isAllocatorFrame(name, set));
}
