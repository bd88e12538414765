/**
 * What the anatomy experiment program (test/fixtures/anatomy) measured about itself, and the checks
 * that tie malloclens's parts to it: the count must equal the MemStats.Mallocs delta, and the parts'
 * requested bytes, rounded the way the runtime rounds them (size classes the program read from
 * MemStats.BySize, the malloc header of Go ≥ 1.22, whole pages for large objects), must add up to
 * the TotalAlloc delta. Shared by the table generator and the integration tests.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseVersion, atLeast } from '../src/core/versions';

export const ANATOMY_FIXTURE = path.resolve(__dirname, '..', '..', 'test', 'fixtures', 'anatomy');
export const ANATOMY_MAIN = path.join(ANATOMY_FIXTURE, 'main.go');

export interface MeasuredRow {
  id: string;
  mallocs: number;
  bytes: number;
  /** Classic maps: hmap.B; swiss maps: the directory length. */
  mapShape?: number;
}

export interface ProgramFacts {
  go: string;
  rows: MeasuredRow[];
  /** MemStats.BySize[].Size: the small size classes the runtime reports (not the largest few). */
  sizeClasses: number[];
  /** The map type's bucket (classic) or group (swiss) size, read from its type descriptor. */
  mapGroupSize: number;
  intSize: number;
  pointSize: number;
  concatLen: number;
  bytesCap: number;
}

export interface RowLine {
  id: string;
  line: number;
  /** The statement as written, without the marker comment. */
  statement: string;
}

/** The experiment's rows: lines ending in `// row <id>`, in order. */
export function rowLines(file = ANATOMY_MAIN): RowLine[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((text, i) => ({ text, line: i + 1, m: /^\s*(.*?)\s*\/\/ row (\S+)\s*$/.exec(text) }))
    .filter((l) => l.m)
    .map((l) => ({ id: l.m![2], line: l.line, statement: l.m![1] }));
}

export function rowLine(id: string): RowLine {
  const found = rowLines().find((r) => r.id === id);
  if (!found) throw new Error(`the anatomy fixture has no row ${id}`);
  return found;
}

const PAGE = 8192;
const SMALL_MAX = 32768;
const MALLOC_HEADER = 8;
const HEADERLESS_SCAN_MAX = 512;
const TINY_MAX = 16;

/**
 * The bytes TotalAlloc is charged for one object, or undefined where it cannot be told: a tiny
 * object (it shares a 16-byte block), or a size class above those MemStats.BySize lists.
 */
export function heapObjectSize(requested: number, scan: boolean, facts: Pick<ProgramFacts, 'go' | 'sizeClasses'>): number | undefined {
  const go = parseVersion(facts.go);
  const headers = go !== undefined && atLeast(go, 1, 22);
  const smallMax = headers ? SMALL_MAX - MALLOC_HEADER : SMALL_MAX;
  if (requested > smallMax) return Math.ceil(requested / PAGE) * PAGE;
  if (!scan && requested < TINY_MAX) return undefined;
  const size = headers && scan && requested > HEADERLESS_SCAN_MAX ? requested + MALLOC_HEADER : requested;
  return facts.sizeClasses.find((c) => c >= size);
}

/** The TotalAlloc delta the parts imply, or undefined when one of them cannot be told. */
export function impliedHeapBytes(parts: { bytes: number; scan?: unknown }[], facts: Pick<ProgramFacts, 'go' | 'sizeClasses'>): number | undefined {
  let total = 0;
  for (const part of parts) {
    const size = heapObjectSize(part.bytes, part.scan === true, facts);
    if (size === undefined) return undefined;
    total += size;
  }
  return total;
}

export function readFacts(file: string): ProgramFacts {
  return JSON.parse(readFileSync(file, 'utf8')) as ProgramFacts;
}

export function measuredRow(facts: ProgramFacts, id: string): MeasuredRow {
  const row = facts.rows.find((r) => r.id === id);
  if (!row) throw new Error(`the program measured no row ${id}`);
  return row;
}

/** Differences between what malloclens saw of a row and what the program measured; empty when they agree. */
export function disagreements(id: string, seen: { count: number; parts: { bytes: number; scan?: unknown }[] }, facts: ProgramFacts): string[] {
  const row = measuredRow(facts, id);
  const problems: string[] = [];
  if (seen.count !== row.mallocs) problems.push(`${id}: malloclens counted ${seen.count}, MemStats.Mallocs grew by ${row.mallocs}`);
  if (seen.parts.length !== seen.count) problems.push(`${id}: ${seen.parts.length} parts for ${seen.count} allocations`);
  const implied = impliedHeapBytes(seen.parts, facts);
  if (implied !== undefined && implied !== row.bytes) problems.push(`${id}: the parts' bytes round to ${implied}, MemStats.TotalAlloc grew by ${row.bytes}`);
  return problems;
}
