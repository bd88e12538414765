/**
 * What one heap allocation is: a map's header or buckets, a slice's backing array, a boxed
 * interface value… read from the runtime frames between the allocator and the caller, the
 * allocator's `typ` (and, where `typ` is nil, the element type of the runtime function that asked),
 * and the runtime's own type names. Pure: the debugger side (allocationInspector.ts) gathers the facts.
 *
 * Classic maps (Go ≤ 1.23, the only kind in Go 1.19) allocate an `hmap` header, a bucket array
 * (`map.bucket[K]V`, with 2^(B-4) preallocated overflow buckets from B = 4, more when the size
 * class rounds up), overflow buckets and a `mapextra`. Swiss maps (Go 1.24+) allocate a `maps.Map`
 * header, a directory (`[]*maps.table`), tables and their group arrays (`map.group[K]V`).
 */
import type { StackFrame } from './attribution';
import type { RuntimeType } from './anatomyType';

export type AllocationKind =
  | 'map.header'
  | 'map.buckets'
  | 'map.overflow'
  | 'map.extra'
  | 'swissmap.header'
  | 'swissmap.directory'
  | 'swissmap.table'
  | 'swissmap.groups'
  | 'slice.make'
  | 'slice.grow'
  | 'string.concat'
  | 'string.convert'
  | 'interface'
  | 'closure'
  | 'channel'
  | 'new'
  | 'goroutine'
  | 'other';

export const KIND_LABELS: Record<AllocationKind, string> = {
  'map.header': 'map header (hmap)',
  'map.buckets': 'map buckets',
  'map.overflow': 'map overflow bucket',
  'map.extra': 'mapextra',
  'swissmap.header': 'map header (swiss Map)',
  'swissmap.directory': 'map directory',
  'swissmap.table': 'map table',
  'swissmap.groups': 'map groups',
  'slice.make': 'slice backing array',
  'slice.grow': 'slice growth',
  'string.concat': 'string (concatenation)',
  'string.convert': 'string (conversion)',
  interface: 'interface boxing',
  closure: 'closure',
  channel: 'channel',
  new: 'new object',
  goroutine: 'goroutine',
  other: 'other',
};

/** What the runtime function that asked for the memory was doing. */
export type Operation =
  | 'map' // any map function: makemap*, mapassign*, hashGrow, internal/runtime/maps…
  | 'makeslice'
  | 'growslice'
  | 'moveslice'
  | 'concat'
  | 'convert'
  | 'box'
  | 'makechan'
  | 'newproc'
  | 'newobject'
  | 'direct' // the compiler called the allocator itself (Go 1.27 size-specialized `new`, aggregated scalars)
  | 'unknown';

/** The runtime function by which an allocation was recognised (its frame is where its arguments are read). */
export interface OperationFrame {
  operation: Operation;
  /** Index in the frames (innermost first). */
  index: number;
  name: string;
}

/** Facts the inspector read at the stop, beyond the frames. */
export interface AllocationFacts {
  size: number;
  /** The allocator's `typ`: for arrays the element type; absent when nil or unreadable. */
  type?: RuntimeType;
  /** The element type the slice function was given (`et`), when the allocator's `typ` was nil. */
  elementType?: RuntimeType;
  /** `growslice`'s locals: the slice's length before the append and the length it needs. */
  oldLen?: number;
  newLen?: number;
  /** `growslice`'s new capacity, readable even in optimized builds where `et` is not. */
  newCap?: number;
}

export interface AllocationAnatomy {
  kind: AllocationKind;
  /** The runtime's type name; for arrays the element type. */
  type?: string;
  /** Number of elements of an array (buckets, groups, slice capacity, string bytes). */
  elements?: number;
  /** Classic map buckets: how many of `elements` are preallocated overflow buckets. */
  overflow?: number;
  /** Slice growth: capacity before the append. */
  oldCap?: number;
  /** The GC scans the object (its type has pointers); a pointer-free one is "noscan". */
  scan: boolean;
}

/** Runtime code as Delve names it (import paths trimmed to the last '/'), checked by file where known. */
export function isRuntimeFrame(frame: StackFrame): boolean {
  if (frame.path) return /\/src\/(runtime|internal\/runtime|internal\/bytealg|internal\/abi)\//.test(frame.path);
  return /^runtime[.(]/.test(frame.name);
}

const ALLOCATOR = /^runtime\.(mallocgc\w*|malloc\w*)$/;

const OPERATIONS: [RegExp, Operation][] = [
  [/^runtime\.(makemap(_small|64)?|mapassign\w*|mapaccess\w*|mapdelete\w*|mapclear|mapclone\w*|hashGrow|growWork\w*|evacuate\w*|makeBucketArray|\(\*hmap\)\.\w+)$|^maps\./, 'map'],
  [/^runtime\.(makeslice(64|copy)?)$|^bytealg\.MakeNoZero$/, 'makeslice'],
  [/^runtime\.(growslice\w*)$/, 'growslice'],
  [/^runtime\.moveSlice\w*$/, 'moveslice'],
  [/^runtime\.(concatstring\w*|concatbyte\w*)$/, 'concat'],
  [/^runtime\.(slicebytetostring|stringtoslicebyte|stringtoslicerune|slicerunetostring|intstring|rawstring\w*|rawbyteslice|rawruneslice|gobytes)$/, 'convert'],
  [/^runtime\.(convT\w*|convI2I)$/, 'box'],
  [/^runtime\.makechan(64)?$/, 'makechan'],
  [/^runtime\.(newproc1?|malg|allgadd)$/, 'newproc'],
];

/**
 * The runtime frames from the allocator outwards, up to the first frame of library or user code.
 * Frames Delve could not name (`???`) do not end the run.
 */
export function runtimeSegment(frames: StackFrame[]): StackFrame[] {
  let end = 0;
  while (end < frames.length && (isRuntimeFrame(frames[end]) || frames[end].name === '???')) end++;
  return frames.slice(0, end);
}

/**
 * The operation behind an allocation: the outermost recognised runtime function wins, because the
 * caller's intent decides (a map's overflow list grows through growslice, and is still the map's).
 * Goroutine creation runs on the system stack, where Delve may lose the frames in between.
 */
export function findOperation(frames: StackFrame[]): OperationFrame {
  const segment = runtimeSegment(frames);
  for (let i = segment.length - 1; i >= 0; i--) {
    const name = segment[i].name;
    for (const [pattern, operation] of OPERATIONS) {
      if (pattern.test(name)) return { operation, index: i, name };
    }
  }
  const newobject = segment.findIndex((f) => /^runtime\.(newobject|newarray)$/.test(f.name));
  if (newobject >= 0) return { operation: 'newobject', index: newobject, name: segment[newobject].name };
  if (segment.every((f) => ALLOCATOR.test(f.name))) return { operation: 'direct', index: 0, name: segment[0]?.name ?? '' };
  return { operation: 'unknown', index: segment.length - 1, name: segment[segment.length - 1]?.name ?? '' };
}

/** Closures are structs whose first field is the code pointer: `struct { F uintptr; X0 *int }`. */
export function isClosureType(name: string): boolean {
  return /^struct \{ F uintptr(;|\s*\})/.test(name);
}

function elementsOf(size: number, element: RuntimeType | undefined): number | undefined {
  return element && element.size > 0 && size % element.size === 0 ? size / element.size : undefined;
}

/** The largest power of two ≤ n: a classic map's 2^B buckets, the rest being preallocated overflow. */
function powerOfTwoFloor(n: number): number {
  let p = 1;
  while (p * 2 <= n) p *= 2;
  return p;
}

/**
 * growslice's `oldCap` argument is dead by the time it calls the allocator (no debug build keeps it
 * readable there), but its length locals are: appending one element grows a slice only when it is
 * full, so then the old capacity is the old length.
 */
export function oldCapacity(facts: Pick<AllocationFacts, 'oldLen' | 'newLen'>): number | undefined {
  return facts.oldLen !== undefined && facts.newLen === facts.oldLen + 1 ? facts.oldLen : undefined;
}

function withType(anatomy: Classified, type: RuntimeType | undefined, size: number, array: boolean): Classified {
  if (!type) return anatomy;
  const elements = array ? elementsOf(size, type) : undefined;
  return { ...anatomy, type: type.name, ...(elements !== undefined ? { elements } : {}) };
}

function classifyMap(frames: StackFrame[], facts: AllocationFacts): Classified {
  const names = frames.map((f) => f.name);
  const type = facts.type;
  const name = type?.name ?? '';
  if (name === 'runtime.hmap') return { kind: 'map.header', type: name };
  if (name === 'maps.Map') return { kind: 'swissmap.header', type: name };
  if (name === 'runtime.mapextra') return { kind: 'map.extra', type: name };
  if (name === 'maps.table') return { kind: 'swissmap.table', type: name };
  if (name === '*maps.table') return withType({ kind: 'swissmap.directory' }, type, facts.size, true);
  if (name.startsWith('map.group[')) {
    const groups = elementsOf(facts.size, type);
    return { kind: 'swissmap.groups', type: name, ...(groups !== undefined ? { elements: groups } : {}) };
  }
  if (name.startsWith('map.bucket[')) {
    const buckets = elementsOf(facts.size, type) ?? 1;
    if (names.some((n) => n === 'runtime.makeBucketArray')) {
      const overflow = buckets - powerOfTwoFloor(buckets);
      return { kind: 'map.buckets', type: name, elements: buckets, overflow };
    }
    if (names.some((n) => /\.newoverflow$/.test(n))) return { kind: 'map.overflow', type: name };
    // mapassign allocates the first bucket of a map made with B = 0 lazily.
    return { kind: 'map.buckets', type: name, elements: buckets, overflow: 0 };
  }
  // newoverflow's bookkeeping for pointer-free buckets: mapextra's overflow list and its growth.
  if (names.some((n) => /\.(newoverflow|createOverflow)$/.test(n))) return withType({ kind: 'map.extra' }, type ?? facts.elementType, facts.size, false);
  return withType({ kind: 'other' }, type ?? facts.elementType, facts.size, false);
}

function classifyNew(facts: AllocationFacts): Classified {
  const type = facts.type;
  if (type && isClosureType(type.name)) return { kind: 'closure', type: type.name };
  return withType({ kind: 'new' }, type, facts.size, false);
}

export function classifyAllocation(frames: StackFrame[], facts: AllocationFacts): AllocationAnatomy {
  // The allocator's `typ` decides scanning: nil (growslice, strings, channels) means noscan.
  return { ...classify(findOperation(frames), frames, facts), scan: facts.type?.pointers === true };
}

/** An anatomy before the scan flag is added (which only the allocator's `typ` decides). */
type Classified = Omit<AllocationAnatomy, 'scan'>;

function classify(found: OperationFrame, frames: StackFrame[], facts: AllocationFacts): Classified {
  const element = facts.type ?? facts.elementType;
  switch (found.operation) {
    case 'map':
      return classifyMap(frames, facts);
    case 'makeslice':
    case 'moveslice':
      return withType({ kind: 'slice.make' }, element, facts.size, true);
    case 'growslice': {
      let grown = withType({ kind: 'slice.grow' }, element, facts.size, true);
      if (grown.elements === undefined && facts.newCap && facts.size % facts.newCap === 0) grown = { ...grown, elements: facts.newCap };
      const oldCap = oldCapacity(facts);
      return oldCap !== undefined ? { ...grown, oldCap } : grown;
    }
    case 'concat':
      return { kind: 'string.concat', elements: facts.size };
    case 'convert':
      return withType({ kind: 'string.convert', elements: facts.size }, element, facts.size, false);
    case 'box':
      return withType({ kind: 'interface' }, facts.type, facts.size, false);
    case 'makechan':
      return { kind: 'channel' };
    case 'newproc':
      return withType({ kind: 'goroutine' }, facts.type, facts.size, false);
    case 'newobject':
    case 'direct':
      return classifyNew(facts);
    case 'unknown':
      return withType({ kind: 'other' }, facts.type, facts.size, false);
  }
}

/** What the inspector should read in the operation's frame, by operation. */
export function argumentsToRead(operation: Operation, allocatorTypeKnown: boolean): { elementType: boolean; lengths: boolean } {
  return {
    elementType: !allocatorTypeKnown && (operation === 'growslice' || operation === 'makeslice' || operation === 'moveslice'),
    lengths: operation === 'growslice',
  };
}
