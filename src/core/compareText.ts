/** A comparison in words and tables: the CLI's `count --baseline` table and the editor's `+3`. */
import { relativeLocation, describeBuild } from './reportText';
import type { LineComparison, ReportComparison, AmountChange } from './compare';
import { formatAmount } from './amountText';
import { formatBytes, formatBytesDelta, formatCount, formatDelta, plural } from './format';
import type { Amount } from './tally';
import { describeSelection, RowSelection, selectRows } from './rowSelection';
import { renderTable } from './table';

/** `+3 vs baseline`, `new, +3 vs baseline`, `−1 vs baseline at line 14` (moved): beside a line's count in the editor. */
export function describeLineDelta(row: LineComparison): string {
  const own = row.delta.count;
  const runtime = row.runtime?.delta.count ?? 0;
  const share = runtime !== 0 ? `, runtime ${formatDelta(runtime)}` : '';
  const moved = row.baselineLine !== undefined ? ` at line ${row.baselineLine}` : '';
  return `${row.kind === 'new' ? 'new, ' : ''}${formatDelta(own)}${share} vs baseline${moved}`;
}

/** `+1,000 allocs · +7.8 KiB vs baseline`: a total's change. */
export function describeAmountDelta(change: AmountChange): string {
  return `${formatDelta(change.delta.count)} ${Math.abs(change.delta.count) === 1 ? 'alloc' : 'allocs'} · ${formatBytesDelta(change.delta.bytes)} vs baseline`;
}

function note(row: LineComparison): string {
  const parts: string[] = [];
  if (row.kind === 'new') parts.push('new');
  if (row.kind === 'gone') parts.push('gone');
  if (row.baselineLine !== undefined) parts.push(`moved from :${row.baselineLine}`);
  if (row.runtime && row.runtime.delta.count !== 0) parts.push(`runtime ${formatDelta(row.runtime.delta.count)}`);
  return parts.join(', ');
}

export function renderComparisonTable(comparison: ReportComparison, baselineName: string, cwd: string, selection: RowSelection = {}): string {
  interface Row { cells: string[]; delta: number }
  const all: Row[] = comparison.lines.map((r) => ({
    cells: [relativeLocation(r.file, r.line, cwd), r.function, formatCount(r.current.count), formatDelta(r.delta.count), formatBytes(r.current.bytes), formatBytesDelta(r.delta.bytes), note(r)],
    delta: Math.abs(r.delta.count),
  }));
  for (const b of comparison.buckets) {
    all.push({ cells: [`(${b.name})`, '', formatCount(b.current.count), formatDelta(b.delta.count), formatBytes(b.current.bytes), formatBytesDelta(b.delta.bytes), ''], delta: Math.abs(b.delta.count) });
  }
  const chosen = selectRows(all, (r) => [r.cells[0], r.cells[1]], (r) => r.delta, selection);
  const table = renderTable(
    [
      { header: 'LOCATION' }, { header: 'FUNCTION' }, { header: 'COUNT', align: 'right' }, { header: 'DELTA', align: 'right' },
      { header: 'BYTES', align: 'right' }, { header: 'BYTES DELTA', align: 'right' }, { header: 'NOTE' },
    ],
    chosen.rows.map((r) => r.cells),
  );
  const cut = describeSelection(chosen.rows.length, chosen.of, selection);
  const t = comparison.total;
  const total = `total: ${plural(t.current.count, 'allocation')} (${formatDelta(t.delta.count)}), ${formatBytes(t.current.bytes)} (${formatBytesDelta(t.delta.bytes)}) against ${plural(t.baseline.count, 'allocation')}, ${formatBytes(t.baseline.bytes)} in the baseline`;
  const parts = [
    `in your code ${formatDelta(comparison.total.delta.count - comparison.unattributed.delta.count)}`,
    `outside it ${formatDelta(comparison.unattributed.delta.count)}`,
    ...(comparison.runtime.baseline.count || comparison.runtime.current.count ? [`by the runtime on lines' behalf ${formatDelta(comparison.runtime.delta.count)}`] : []),
  ];
  const matched = comparison.lines.some((l) => l.baselineLine !== undefined) ? '; lines matched by file and line, moved ones by function' : '; lines matched by file and line';
  const baseline = `baseline: ${baselineName} — ${describeBuild(comparison.baseline)}`;
  const warnings = comparison.warnings.map((w) => `note: ${w}`);
  return [table, ...(cut ? [cut] : []), total, `${parts.join(', ')}${matched}`, baseline, ...warnings].join('\n');
}

/** The rows of one file by line: current lines, and lines only the baseline counted (for inline text and the tree). */
export function comparisonsByLine(comparison: ReportComparison, file: string): Map<number, LineComparison> {
  const out = new Map<number, LineComparison>();
  for (const row of comparison.lines) if (row.file === file && (row.kind !== 'gone' || !out.has(row.line))) out.set(row.line, row);
  return out;
}

/** `5 allocs (+3) · 34.1 KiB`: a tree row's amount with its count's difference. */
export function formatAmountWithDelta(amount: Amount, row: Pick<AmountChange, 'delta'> | undefined): string {
  if (!row) return formatAmount(amount);
  const count = `${plural(amount.count, 'alloc')} (${formatDelta(row.delta.count)})`;
  return amount.count === 0 && amount.bytes === 0 ? count : `${count} · ${formatBytes(amount.bytes)}`;
}

/** `+3 allocs · +24 B than the baseline (base.json)`, for tooltips; `new`/`gone` said. */
export function describeRowChange(row: LineComparison, baselineName: string): string {
  const what = row.kind === 'new' ? ' (the baseline counted nothing here)' : row.kind === 'gone' ? ' (only the baseline counted this line)' : '';
  const moved = row.baselineLine !== undefined ? `; the baseline counted it on line ${row.baselineLine}` : '';
  return `${formatDelta(row.delta.count)} allocs · ${formatBytesDelta(row.delta.bytes)} against ${baselineName}: ${formatCount(row.baseline.count)} allocs then${what}${moved}`;
}
