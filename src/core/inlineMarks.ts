/**
 * What inline counts add to their text beyond the count: the difference from the chosen baseline
 * (`run: 5 allocs · 80 B (+3 vs baseline)`, and a zero with its difference on a line only the
 * baseline counted), and that a file changed since it was counted.
 */
import { formatScopedAmount } from './amountText';
import type { LineComparison, ReportComparison } from './compare';
import { comparisonsByLine, describeLineDelta } from './compareText';
import type { CountSource, LineCount } from './inlineCounts';

export const STALE_MARK = ' (file changed since counted)';

export function withBaselineDeltas(counts: readonly LineCount[], file: string, compare: (source: CountSource) => ReportComparison | undefined): LineCount[] {
  const out: LineCount[] = [];
  const byLine = new Map<CountSource, Map<number, LineComparison>>();
  const rowsOf = (source: CountSource) => {
    if (!byLine.has(source)) {
      const comparison = compare(source);
      byLine.set(source, comparison ? comparisonsByLine(comparison, file) : new Map());
    }
    return byLine.get(source)!;
  };
  const shown = new Set(counts.map((c) => c.line));
  for (const c of counts) {
    const row = rowsOf(c.source).get(c.line);
    out.push(row && row.kind !== 'gone' ? { ...c, text: `${c.text} (${describeLineDelta(row)})` } : c);
  }
  for (const source of new Set(counts.map((c) => c.source))) {
    for (const [line, row] of rowsOf(source)) {
      if (row.kind !== 'gone' || shown.has(line)) continue;
      shown.add(line);
      const zero = { file, line, function: row.function, count: 0, bytes: 0, paths: [] };
      out.push({ line, tally: zero, level: 0, text: `${formatScopedAmount(zero, source.report.scope)} (${describeLineDelta(row)})`, source, all: [{ tally: zero, source }] });
    }
  }
  return out.sort((a, b) => a.line - b.line);
}

/** Counts whose source counted the file before it last changed say so. */
export function markStale(counts: readonly LineCount[], isStale: (source: CountSource) => boolean): LineCount[] {
  return counts.map((c) => (isStale(c.source) ? { ...c, text: `${c.text}${STALE_MARK}` } : c));
}
