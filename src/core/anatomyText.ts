/** Human renderings of a statement's anatomy: one allocation as a phrase, and the ordered table. */
import { AllocationKind, KIND_LABELS } from './anatomy';
import { isRuntimeFunction } from './attribution';
import type { EscapePrediction } from './escape';
import { formatCount, plural } from './format';
import type { MallocReport } from './report';
import { relativeLocation } from './reportText';
import { renderTable } from './table';
import type { AllocationRecord } from './tally';

/** The anatomy fields of an allocation record, as the inspector stored them. */
export interface AnatomyRecord extends AllocationRecord {
  kind?: AllocationKind;
  type?: string;
  elements?: number;
  overflow?: number;
  oldCap?: number;
}

export function kindLabel(record: AnatomyRecord): string {
  return record.kind ? KIND_LABELS[record.kind] : 'unclassified';
}

/** What the elements are: `284 buckets (28 preallocated overflow)`, `cap 512 → 848`, `1000 × int`. */
export function describeElements(record: AnatomyRecord): string {
  const n = record.elements;
  switch (record.kind) {
    case 'map.buckets':
      return n === undefined ? '' : `${formatCount(n)} bucket${n === 1 ? '' : 's'}${record.overflow ? ` (${formatCount(record.overflow)} preallocated overflow)` : ''}`;
    case 'swissmap.groups':
      return n === undefined ? '' : `${formatCount(n)} group${n === 1 ? '' : 's'} (${formatCount(n * 8)} slots)`;
    case 'swissmap.directory':
      return n === undefined ? '' : `${formatCount(n)} table${n === 1 ? '' : 's'}`;
    case 'slice.grow':
      if (n === undefined) return '';
      return record.oldCap !== undefined ? `cap ${formatCount(record.oldCap)} → ${formatCount(n)}` : `cap → ${formatCount(n)}`;
    case 'slice.make':
      return n === undefined ? '' : `cap ${formatCount(n)}`;
    case 'string.concat':
    case 'string.convert':
      return n === undefined ? '' : `${formatCount(n)} bytes`;
    default:
      return n === undefined || n === 1 ? '' : `${formatCount(n)} elements`;
  }
}

/** The library function the statement called, when the allocation happened inside it (`strconv.Itoa`). */
export function calledFunction(record: AnatomyRecord): string | undefined {
  const first = record.frames[0];
  return first && !isRuntimeFunction(first) ? first : undefined;
}

/** One phrase: `map groups 17,408 B (128 × map.group[int]int)`, `slice growth 16 B (cap 1 → 2, int)`. */
export function describeAllocation(record: AnatomyRecord): string {
  const n = record.elements;
  const details: string[] = [];
  if (record.kind === 'slice.grow') {
    if (n !== undefined) details.push(record.oldCap !== undefined ? `cap ${formatCount(record.oldCap)} → ${formatCount(n)}` : `cap ${formatCount(n)}`);
    if (record.type) details.push(record.type);
  } else if (record.kind === 'string.concat' || record.kind === 'string.convert') {
    if (record.type) details.push(record.type);
  } else if (record.type) {
    details.push(n !== undefined && n !== 1 ? `${formatCount(n)} × ${record.type}` : record.type);
  } else if (n !== undefined && n !== 1) {
    details.push(`${formatCount(n)} elements`);
  }
  if (record.kind === 'map.buckets' && record.overflow) details.push(`${formatCount(record.overflow)} preallocated overflow`);
  return `${kindLabel(record)} ${formatCount(record.bytes)} B${details.length ? ` (${details.join(', ')})` : ''}`;
}

export function renderAnatomyTable(allocations: AnatomyRecord[]): string {
  return renderTable(
    [{ header: '#', align: 'right' }, { header: 'KIND' }, { header: 'BYTES', align: 'right' }, { header: 'TYPE' }, { header: 'ELEMENTS' }, { header: 'IN' }],
    allocations.map((a, i) => [String(i + 1), kindLabel(a), formatCount(a.bytes), a.type ?? '', describeElements(a), calledFunction(a) ?? '']),
  );
}

function describePrediction(prediction: EscapePrediction): string {
  const said = prediction.messages.length > 0
    ? prediction.messages.map((m) => `${m.subject} ${m.verdict === 'escapes' ? 'escapes to heap' : m.verdict === 'moved to heap' ? 'is moved to heap' : 'does not escape'}`).join('; ')
    : 'no escape verdict on this statement';
  return `escape analysis: ${said} — ${prediction.agrees ? 'agrees with the measurement' : `disagrees: ${prediction.note}`}`;
}

/** Line scope: each line's allocations in order, then the compiler's prediction beside them. */
export function renderStatementAnatomy(report: MallocReport, cwd: string): string {
  const parts: string[] = [];
  for (const line of [...report.lines].sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line)) {
    const allocations = (line.allocations ?? []) as AnatomyRecord[];
    parts.push(`${relativeLocation(line.file, line.line, cwd)} ${line.function}: ${plural(line.count, 'allocation')}, ${formatCount(line.bytes)} B, in order:`);
    parts.push(allocations.length > 0 ? indent(renderAnatomyTable(allocations)) : '  (not inspected)');
  }
  if (parts.length === 0 && report.statement) parts.push(`${relativeLocation(report.statement.file, report.statement.line, cwd)}: no heap allocation`);
  if (report.prediction) parts.push(describePrediction(report.prediction));
  return parts.join('\n');
}

function indent(text: string): string {
  return text.split('\n').map((l) => `  ${l}`).join('\n');
}
