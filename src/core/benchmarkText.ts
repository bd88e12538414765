/** The CLI's rendering of `count --bench`: one table per benchmark, per op. */
import { formatPerOp, formatPerOpAmount } from './amountText';
import type { BenchmarkReport } from './benchmarkWindows';
import { formatCount, plural } from './format';
import type { MallocReport } from './report';
import { describeBuild, relativeLocation } from './reportText';
import { renderTable } from './table';

function renderBenchmark(b: BenchmarkReport, cwd: string): string {
  const shares = b.lines.some((l) => l.runtime);
  const rows = b.lines.map((l) => [
    relativeLocation(l.file, l.line, cwd), l.function, formatPerOp(l.allocsPerOp), formatPerOp(l.bytesPerOp),
    ...(shares ? [l.runtime ? `+${formatPerOp(l.runtime.allocsPerOp)} allocs/op` : ''] : []),
  ]);
  if (b.unattributed.allocs !== 0) rows.push(['(runtime and libraries)', '', formatPerOp(b.unattributed.allocsPerOp), formatPerOp(b.unattributed.bytesPerOp), ...(shares ? [''] : [])]);
  const table = renderTable(
    [{ header: 'LOCATION' }, { header: 'FUNCTION' }, { header: 'ALLOCS/OP', align: 'right' }, { header: 'B/OP', align: 'right' }, ...(shares ? [{ header: 'BY THE RUNTIME' }] : [])],
    rows,
  );
  const gc = b.gcCycles ? `; ${plural(b.gcCycles, 'garbage collection')} ran in them, and what sync.Pools held was allocated again` : '';
  const gap = b.runtimeAllocs !== undefined && b.testingAllocs !== undefined ? b.runtimeAllocs - b.testingAllocs : 0;
  const trailing = gap > 0 ? `; testing counted ${formatCount(b.testingAllocs!)}: ${plural(gap, 'allocation')} came between StartTimer's call and its own reading of MemStats` : '';
  return `${b.name}  ${formatCount(b.n)} ops  ${formatPerOpAmount(b)}  (${formatCount(b.allocs)} allocations in the timed runs${gc}${trailing})\n${table}`;
}

export function renderBenchmarkTables(report: MallocReport, cwd: string): string {
  const benchmarks = report.benchmarks ?? [];
  if (benchmarks.length === 0) return 'no benchmark ran';
  const note = 'per op: the last run of b.N, timer windows only, divided by b.N; shown to two decimals';
  return `${benchmarks.map((b) => renderBenchmark(b, cwd)).join('\n\n')}\n\n${note} — ${describeBuild(report)}`;
}
