/**
 * The report shape shared by the CLI's `--json`, the `malloclens/tally` DAP request and the
 * extension's "export JSON".
 */
import type { BenchmarkReport } from './benchmarkWindows';
import type { EngineName } from './engineChoice';
import type { EscapePrediction } from './escape';
import type { StackTableReport } from './stackTable';
import { Amount, BucketTally, LineTally, Tally } from './tally';

/** `op`: one benchmark's figures per op (benchmarkView.ts), the editor's view of a `count --bench`. */
export type Scope = 'run' | 'line' | 'op';

export interface ReportMeta {
  go: string;
  delve: string;
  buildFlags: string;
  scope: Scope;
  /** The engine that counted. */
  engine?: EngineName;
  /** For line scope: the statement counted. */
  statement?: { file: string; line: number; endLine?: number; reached: boolean };
}

export interface ProgramEnd {
  exitCode?: number;
  /** The panic or fatal error text when the program died of one. */
  error?: string;
}

/**
 * Whether the report accounts for every allocation. The breakpoint engine compares Delve's own hit
 * counts of its breakpoints (`delveHits`, less the size-0 and nested calls it `skipped`); fast mode
 * compares the runtime's own allocation count over the counted part of the run (`runtimeMallocs`,
 * as MemStats.Mallocs counts) with the report's total (`counted`).
 */
export interface Check {
  delveHits?: number;
  skipped?: number;
  runtimeMallocs?: number;
  counted?: number;
  complete: boolean;
}

export interface MallocReport extends ReportMeta {
  lines: LineTally[];
  unattributed: Amount & { buckets: BucketTally[] };
  total: Amount;
  /**
   * Delve's own hit count of the hidden breakpoints, when it could be read: equal to `total.count`
   * plus the size-0 and nested calls the engine skipped, or the counts are incomplete.
   */
  check?: Check;
  program?: ProgramEnd;
  /** The counts stop before the program's end: it still runs, or was stopped early. */
  partial?: true;
  /** `count --bench`: each benchmark's last run, per op, over the windows testing.B times. */
  benchmarks?: BenchmarkReport[];
  /** Line scope: the compiler's escape analysis of the statement, beside what was measured. */
  prediction?: EscapePrediction;
  /** Every whole stack with its count and bytes, when asked for (pprof export); never in live events. */
  stacks?: StackTableReport;
  /** The counts are a sampled profile's estimates (a pprof file read in), not exact counts. */
  sampled?: SampledOrigin;
  warnings: string[];
}

/** Where a sampled report came from: a pprof profile and the rate its allocations were sampled at. */
export interface SampledOrigin {
  /** The profile file. */
  file: string;
  /** Bytes between samples on average (runtime.MemProfileRate; the profile's period). */
  rate: number;
  /** The sample type shown: alloc_objects/alloc_space, or inuse_objects/inuse_space. */
  kind: 'alloc' | 'inuse';
}

export interface ReportExtras extends Partial<Pick<MallocReport, 'check' | 'program' | 'warnings' | 'partial' | 'benchmarks'>> {
  /** Add the whole-stack table. */
  stacks?: boolean;
}

export function buildReport(meta: ReportMeta, tally: Tally, extras: ReportExtras = {}): MallocReport {
  return {
    ...meta,
    lines: tally.lineTallies(),
    unattributed: { ...tally.unattributed(), buckets: tally.bucketTallies() },
    total: tally.totals(),
    ...(extras.check ? { check: extras.check } : {}),
    ...(extras.program ? { program: extras.program } : {}),
    ...(extras.partial ? { partial: true as const } : {}),
    ...(extras.benchmarks ? { benchmarks: extras.benchmarks } : {}),
    ...(extras.stacks ? { stacks: tally.stackTable() } : {}),
    warnings: extras.warnings ?? [],
  };
}
