/**
 * What a line allocated, part by part: from the anatomy an inspector attached to each allocation
 * in line scope when there is one (core/anatomy.ts: kind, type, elements, in the order they
 * happened), otherwise from the call paths every report has. A map's parts are named by
 * mapAnatomy.ts; anything else by its kind's label, its type, or its call path. Details the UI does
 * not know by name are shown as `key: value`, so new inspector facts appear without a change here.
 */
import { KIND_LABELS } from './anatomy';
import { FIXED_TYPE_PARTS, isClassicHeaderPath, layoutForGo, layoutOfPart, MAP_PARTS, MapLayout, MapPart, mapPartOf } from './mapAnatomy';
import { describePath } from './reportText';
import type { AllocationRecord, Amount, LineTally } from './tally';

export interface LinePart extends Amount {
  /** `groups`, `slice backing array`, `runtime.makemap → maps.NewMap → …` */
  label: string;
  /** Extra facts in words: type, elements, preallocated overflow buckets, other details. */
  details: string[];
  mapPart?: MapPart;
  /** A part that holds several map parts the call path cannot tell apart (classic hmap + mapextra). */
  mapParts?: MapPart[];
  /** True when the parts come from inspected allocations rather than call paths. */
  inspected: boolean;
}

/** Keys rendered by name below; anything else is shown as `key: value`. */
const KNOWN_KEYS = new Set(['bytes', 'frames', 'kind', 'type', 'elements', 'overflow', 'oldCap', 'scan']);

const ELEMENT_NOUN: Partial<Record<MapPart, string>> = { buckets: 'buckets', groups: 'groups', directory: 'table pointers' };

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function num(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

function labelOfKind(kind: string | undefined): string | undefined {
  if (!kind) return undefined;
  return (KIND_LABELS as Record<string, string>)[kind] ?? kind;
}

/** Facts of one allocation in words (elements, overflow buckets, growth, unknown extras). */
function recordDetails(record: AllocationRecord, mapPart: MapPart | undefined): string[] {
  const out: string[] = [];
  const elements = num(record.elements);
  const overflow = num(record.overflow);
  if (elements !== undefined) {
    const noun = (mapPart && ELEMENT_NOUN[mapPart]) ?? 'elements';
    out.push(overflow ? `${elements} ${noun} (${elements - overflow} + ${overflow} preallocated overflow)` : `${elements} ${noun}`);
  }
  const oldCap = num(record.oldCap);
  if (oldCap !== undefined) out.push(`grown from capacity ${oldCap}`);
  if (record.scan === false) out.push('noscan');
  for (const [key, value] of Object.entries(record)) {
    if (KNOWN_KEYS.has(key) || value === undefined || value === null) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out.push(`${key}: ${value}`);
  }
  return out;
}

interface Collecting extends LinePart {
  types: Set<string>;
  facts: Map<string, number>;
}

function partsFromAllocations(allocations: AllocationRecord[], layout?: MapLayout): LinePart[] {
  const parts = new Map<string, Collecting>();
  for (const a of allocations) {
    const kind = text(a.kind);
    const type = text(a.type);
    const mapPart = mapPartOf({ frames: a.frames, bytesEach: a.bytes, kind, type, layout });
    const label = mapPart ?? labelOfKind(kind) ?? type ?? describePath({ frames: a.frames, count: 1, bytes: a.bytes });
    const part = parts.get(label) ?? { label, count: 0, bytes: 0, details: [], mapPart, inspected: true, types: new Set<string>(), facts: new Map<string, number>() };
    part.count += 1;
    part.bytes += a.bytes;
    if (type && label !== type && !(mapPart && FIXED_TYPE_PARTS.has(mapPart))) part.types.add(type);
    for (const fact of recordDetails(a, mapPart)) part.facts.set(fact, (part.facts.get(fact) ?? 0) + 1);
    parts.set(label, part);
  }
  return [...parts.values()].map(({ types, facts, ...part }) => ({
    ...part,
    // The same fact on several allocations is said once: "128 groups each" reads better than "128 groups, 128 groups".
    details: [...types, ...[...facts].map(([fact, n]) => (n > 1 && part.count === n && /^\d/.test(fact) ? `${fact} each` : fact))],
  }));
}

function partsFromPaths(line: LineTally, layout?: MapLayout): LinePart[] {
  const parts = new Map<string, LinePart>();
  for (const p of line.paths) {
    const bytesEach = p.count === 1 ? p.bytes : undefined;
    const mapPart = mapPartOf({ frames: p.frames, bytesEach, layout });
    const shared = !mapPart && isClassicHeaderPath(p.frames);
    const label = mapPart ?? (shared ? 'hmap + mapextra' : describePath(p));
    const part = parts.get(label) ?? { label, count: 0, bytes: 0, details: [], mapPart, ...(shared ? { mapParts: ['hmap', 'mapextra'] as MapPart[] } : {}), inspected: false };
    part.count += p.count;
    part.bytes += p.bytes;
    parts.set(label, part);
  }
  return [...parts.values()];
}

function mapOrder(part: LinePart): number {
  if (!part.mapPart) return Number.MAX_SAFE_INTEGER;
  return MAP_PARTS[layoutOfPart(part.mapPart)].indexOf(part.mapPart);
}

/**
 * The parts of a line. Inspected allocations keep the order they happened in; parts read from call
 * paths are ordered as the map is built (header, directory or buckets, …), then by count.
 */
export function lineParts(line: LineTally, goVersion?: string): LinePart[] {
  const layout = goVersion ? layoutForGo(goVersion) : undefined;
  if (line.allocations && line.allocations.length > 0) return partsFromAllocations(line.allocations, layout);
  return partsFromPaths(line, layout).sort((a, b) => mapOrder(a) - mapOrder(b) || b.count - a.count || b.bytes - a.bytes);
}

/** The map layout a line's parts show, if any of them is a map's. */
export function mapLayoutOf(parts: LinePart[]): MapLayout | undefined {
  const first = parts.map((p) => p.mapPart ?? p.mapParts?.[0]).find((m) => m !== undefined);
  return first ? layoutOfPart(first) : undefined;
}

/** Whether any part is (or may be) this map part. */
export function hasMapPart(parts: LinePart[], part: MapPart): boolean {
  return parts.some((p) => p.mapPart === part || p.mapParts?.includes(part));
}
