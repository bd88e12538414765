/**
 * The one place that knows how the Go runtime lays out a map: which part of a map each allocation
 * is. Classic maps (Go ≤ 1.23, or GOEXPERIMENT=noswissmap on 1.24/1.25): hmap, buckets (with the
 * preallocated overflow buckets), overflow buckets, mapextra. Swiss maps (Go 1.24+): Map, directory,
 * table, groups. See ../shared/reference/go-runtime-alloc.md §2–3.
 *
 * Three sources, best first: the anatomy an inspector attached (core/anatomy.ts: `kind`, `type`),
 * the allocator's call path (frames), and for the one ambiguous path (classic hmap vs mapextra, both
 * `makemap → newobject`) the size.
 */

export type MapLayout = 'classic' | 'swiss';

export type MapPart = 'hmap' | 'buckets' | 'overflow' | 'mapextra' | 'Map' | 'directory' | 'table' | 'groups';

export const MAP_PARTS: Record<MapLayout, readonly MapPart[]> = {
  classic: ['hmap', 'buckets', 'overflow', 'mapextra'],
  swiss: ['Map', 'directory', 'table', 'groups'],
};

const LAYOUT_OF: Record<MapPart, MapLayout> = {
  hmap: 'classic', buckets: 'classic', overflow: 'classic', mapextra: 'classic',
  Map: 'swiss', directory: 'swiss', table: 'swiss', groups: 'swiss',
};

/** What each part is, for hovers and tooltips: the runtime type where it is always the same. */
export const MAP_PART_MEANING: Record<MapPart, string> = {
  hmap: 'header, runtime.hmap',
  buckets: 'bucket array',
  overflow: 'overflow bucket',
  mapextra: 'overflow list, runtime.mapextra',
  Map: 'header, maps.Map',
  directory: 'table directory, []*maps.table',
  table: 'table header, maps.table',
  groups: 'group array, 8 slots a group',
};

/** Parts whose type is always the one their meaning names: their `type` detail says nothing new. */
export const FIXED_TYPE_PARTS: ReadonlySet<MapPart> = new Set(['hmap', 'mapextra', 'Map', 'directory', 'table']);

/** The header that lives on the stack when a map does not escape. */
export const MAP_HEADER: Record<MapLayout, MapPart> = { classic: 'hmap', swiss: 'Map' };

// 64-bit sizes of the classic headers: the only way to tell them apart from the call path alone.
const HMAP_BYTES = 48;
const MAPEXTRA_BYTES = 24;

export function layoutOfPart(part: MapPart): MapLayout {
  return LAYOUT_OF[part];
}

/** Swiss maps from Go 1.24 (1.24/1.25 could opt out with GOEXPERIMENT=noswissmap). */
export function layoutForGo(goVersion: string): MapLayout | undefined {
  const m = /go(\d+)\.(\d+)/.exec(goVersion);
  if (!m) return undefined;
  return Number(m[1]) > 1 || Number(m[2]) >= 24 ? 'swiss' : 'classic';
}

function has(frames: readonly string[], pattern: RegExp): boolean {
  return frames.some((f) => pattern.test(f));
}

/** From the inspector's kind (core/anatomy.ts AllocationKind). */
const PART_BY_KIND: Record<string, MapPart> = {
  'map.header': 'hmap',
  'map.buckets': 'buckets',
  'map.overflow': 'overflow',
  'map.extra': 'mapextra',
  'swissmap.header': 'Map',
  'swissmap.directory': 'directory',
  'swissmap.table': 'table',
  'swissmap.groups': 'groups',
};

function partFromKind(kind: string): MapPart | undefined {
  return PART_BY_KIND[kind];
}

/** From the runtime's type name, in either spelling (`maps.table` or `internal/runtime/maps.table`). */
function partFromType(type: string, frames: readonly string[]): MapPart | undefined {
  if (/(^|[./])hmap$/.test(type)) return 'hmap';
  if (/(^|[./])mapextra$/.test(type)) return 'mapextra';
  if (/(^|\.)map\.bucket\[/.test(type)) return has(frames, /newoverflow$/) ? 'overflow' : 'buckets';
  if (/(^|\/)maps\.Map$/.test(type)) return 'Map';
  if (/^\*(.*\/)?maps\.table$/.test(type)) return 'directory';
  if (/(^|\/)maps\.table$/.test(type)) return 'table';
  if (/(^|\.)map\.group\[/.test(type)) return 'groups';
  return undefined;
}

/** From the call path below the line (outermost first, allocator last). */
function partFromFrames(frames: readonly string[], bytesEach?: number, layout?: MapLayout): MapPart | undefined {
  if (!has(frames, /^runtime\.(makemap|makemap_small|makemap64|mapassign\w*)$|^maps\./)) return undefined;
  // Swiss tables (internal/runtime/maps, frame names trimmed to `maps.`).
  if (has(frames, /^maps\.newGroups$|^maps\.\(\*Map\)\.growToSmall$/)) return 'groups';
  if (has(frames, /^maps\.newTable$/)) return 'table';
  if (has(frames, /^maps\.(NewMap|\(\*Map\)\.installTableSplit|\(\*Map\)\.growToTable)$/) && has(frames, /^runtime\.makeslice$/)) return 'directory';
  if (has(frames, /^maps\.(NewMap|NewEmptyMap)$/)) return 'Map';
  // Classic maps (runtime.hmap).
  if (has(frames, /createOverflow$/)) return 'mapextra';
  if (has(frames, /newoverflow$/)) return 'overflow';
  if (has(frames, /^runtime\.makeBucketArray$/)) return 'buckets';
  if (has(frames, /^runtime\.makemap_small$/)) return layout === 'swiss' ? 'Map' : 'hmap';
  if (isClassicHeaderPath(frames)) {
    // An optimized runtime can inline maps.NewMap into makemap; the Go version then decides.
    if (layout === 'swiss') return 'Map';
    if (bytesEach === HMAP_BYTES) return 'hmap';
    if (bytesEach === MAPEXTRA_BYTES) return 'mapextra';
  }
  return undefined;
}

export interface MapAllocationFacts {
  frames: readonly string[];
  /** Bytes of one allocation, when known (one allocation, or a path all of one size). */
  bytesEach?: number;
  kind?: string;
  type?: string;
  /** The layout the program's Go version uses, when known (see layoutForGo). */
  layout?: MapLayout;
}

/** Which part of a map an allocation is, or undefined when it is not (recognisably) a map's. */
export function mapPartOf(facts: MapAllocationFacts): MapPart | undefined {
  return (facts.kind ? partFromKind(facts.kind) : undefined)
    ?? (facts.type ? partFromType(facts.type, facts.frames) : undefined)
    ?? partFromFrames(facts.frames, facts.bytesEach, facts.layout);
}

/**
 * The classic path `makemap → newobject`, shared by hmap and mapextra: when it holds both, only an
 * inspector's type names can tell them apart.
 */
export function isClassicHeaderPath(frames: readonly string[]): boolean {
  return has(frames, /^runtime\.makemap(64)?$/) && has(frames, /^runtime\.newobject$/) && !has(frames, /^maps\.|newoverflow$|createOverflow$/);
}
