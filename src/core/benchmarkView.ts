/**
 * One benchmark of a `count --bench` report as the editor shows it: its lines with per-op figures
 * in place of counts (scope `op`), so that the decorations, the tree and the hover, which render
 * `lines[].count` and `bytes`, show `3 allocs/op · 96 B/op` without knowing about benchmarks.
 */
import type { BenchmarkReport } from './benchmarkWindows';
import type { MallocReport } from './report';
import type { LineTally } from './tally';

export function benchmarkView(report: MallocReport, benchmark: BenchmarkReport): MallocReport {
  const lines: LineTally[] = benchmark.lines.map((l) => ({
    file: l.file, line: l.line, function: l.function, count: l.allocsPerOp, bytes: l.bytesPerOp, paths: [],
    ...(l.runtime ? { runtime: { count: l.runtime.allocsPerOp, bytes: l.runtime.bytesPerOp, reasons: [] } } : {}),
  }));
  return {
    ...report,
    scope: 'op',
    lines,
    unattributed: { count: benchmark.unattributed.allocsPerOp, bytes: benchmark.unattributed.bytesPerOp, buckets: [] },
    total: { count: benchmark.allocsPerOp, bytes: benchmark.bytesPerOp },
    benchmarks: [benchmark],
  };
}

/**
 * What "count allocs/op" above `func <name>` shows of a `-test.bench=^<name>$` run: that benchmark
 * per op, or (it did not run) the run's report with a warning that says so, scope unchanged.
 */
export function benchmarkLensView(report: MallocReport, name: string): MallocReport {
  const benchmark = benchmarkNamed(report, name);
  if (!benchmark) {
    report.warnings.push(`${name} did not run${report.program?.error ? ` (${report.program.error})` : ''}; nothing was timed.`);
    return report;
  }
  const others = (report.benchmarks ?? []).filter((b) => b !== benchmark).map((b) => b.name);
  if (benchmark.name !== name) report.warnings.push(`${name} runs sub-benchmarks, which testing reports instead of it: showing ${benchmark.name}${others.length > 0 ? ` (also ran: ${others.join(', ')}; malloclens count --bench shows each)` : ''}.`);
  return benchmarkView(report, benchmark);
}

/**
 * The benchmark a lens asked for: by its name, else (a benchmark that only runs sub-benchmarks,
 * which testing reports instead of it) its first sub-benchmark.
 */
export function benchmarkNamed(report: MallocReport, name: string): BenchmarkReport | undefined {
  const all = report.benchmarks ?? [];
  return all.find((b) => b.name === name) ?? all.find((b) => b.name.startsWith(`${name}/`));
}
