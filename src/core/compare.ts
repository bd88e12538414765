/**
 * Two reports side by side (`count --baseline`, "Compare with Baseline…"): per line, per bucket,
 * the runtime's share and the totals, each as baseline, current and the difference.
 *
 * Lines are matched by file and line number. Code that moved between the runs (lines inserted
 * above it) would then read as one line gone and another new, so a second pass pairs, within one
 * function of one file, the lines left unmatched on both sides when they are as many, all moved
 * by the same offset and each keeps its main call path; such a row says where the baseline
 * counted it (`baselineLine`). Anything else stays `new` and `gone`: a wrong pairing would be
 * worse than none.
 */
import type { MallocReport } from './report';
import type { Amount, LineTally } from './tally';

export interface AmountChange {
  baseline: Amount;
  current: Amount;
  delta: Amount;
}

/** `changed`, `same`, `new` (the baseline counted nothing there), `gone` (only the baseline did). */
export type LineChangeKind = 'changed' | 'same' | 'new' | 'gone';

export interface LineComparison extends AmountChange {
  file: string;
  /** The current line; for a `gone` row, the baseline's. */
  line: number;
  function: string;
  kind: LineChangeKind;
  /** Set when the line was matched across a move: where the baseline counted it. */
  baselineLine?: number;
  /** What the runtime allocated on the line's behalf (GC start, new thread), when either side has some. */
  runtime?: AmountChange;
}

export interface BucketComparison extends AmountChange {
  name: string;
}

export interface ReportComparison {
  /** What the baseline was: enough to say what is compared with what. */
  baseline: Pick<MallocReport, 'go' | 'delve' | 'buildFlags' | 'scope' | 'engine'> & { label?: string };
  /** Largest change first (by count, then bytes); unchanged lines last. */
  lines: LineComparison[];
  buckets: BucketComparison[];
  unattributed: AmountChange;
  /** The runtime's share of every line, summed. */
  runtime: AmountChange;
  total: AmountChange;
  /** Differences between the two runs that make the numbers less comparable. */
  warnings: string[];
}

/** A report with the comparison against its baseline (the CLI's `--json --baseline`). */
export type ComparedReport = MallocReport & { comparison: ReportComparison };

const ZERO: Amount = { count: 0, bytes: 0 };

function amount(a: Amount | undefined): Amount {
  return a ? { count: a.count, bytes: a.bytes } : { ...ZERO };
}

export function change(baseline: Amount | undefined, current: Amount | undefined): AmountChange {
  const b = amount(baseline);
  const c = amount(current);
  return { baseline: b, current: c, delta: { count: c.count - b.count, bytes: c.bytes - b.bytes } };
}

function key(file: string, line: number): string {
  return `${file}:${line}`;
}

function lineRow(file: string, line: number, fn: string, baseline: LineTally | undefined, current: LineTally | undefined, baselineLine?: number): LineComparison {
  const c = change(baseline, current);
  const kind: LineChangeKind = !baseline ? 'new' : !current ? 'gone' : c.delta.count === 0 && c.delta.bytes === 0 ? 'same' : 'changed';
  const row: LineComparison = { file, line, function: fn, kind, ...c };
  if (baselineLine !== undefined && baselineLine !== line) row.baselineLine = baselineLine;
  if (baseline?.runtime || current?.runtime) row.runtime = change(baseline?.runtime, current?.runtime);
  return row;
}

/** The same code makes the same calls: a line that moved keeps its main call path. */
function samePath(a: LineTally, b: LineTally): boolean {
  const main = (l: LineTally) => (l.paths[0]?.frames ?? []).join('\n');
  return main(a) === main(b);
}

/** Unmatched lines of one function on both sides, paired when they all moved by one offset. */
function pairMoved(baseline: LineTally[], current: LineTally[]): [LineTally, LineTally][] | undefined {
  if (baseline.length === 0 || baseline.length !== current.length) return undefined;
  const b = [...baseline].sort((x, y) => x.line - y.line);
  const c = [...current].sort((x, y) => x.line - y.line);
  const offset = c[0].line - b[0].line;
  if (offset === 0 || !c.every((l, i) => l.line - b[i].line === offset && samePath(l, b[i]))) return undefined;
  return b.map((l, i) => [l, c[i]]);
}

function byChange(a: LineComparison | BucketComparison, b: LineComparison | BucketComparison): number {
  return Math.abs(b.delta.count) - Math.abs(a.delta.count) || Math.abs(b.delta.bytes) - Math.abs(a.delta.bytes) || b.current.count - a.current.count;
}

function sumRuntime(report: MallocReport): Amount {
  return report.lines.reduce((s, l) => ({ count: s.count + (l.runtime?.count ?? 0), bytes: s.bytes + (l.runtime?.bytes ?? 0) }), { ...ZERO });
}

function comparabilityWarnings(current: MallocReport, baseline: MallocReport): string[] {
  const out: string[] = [];
  if (current.scope !== baseline.scope) out.push(`the baseline counted ${baseline.scope === 'line' ? "a statement's first execution" : 'a whole run'}, this report ${current.scope === 'line' ? "a statement's first execution" : 'a whole run'}`);
  if (current.go && baseline.go && current.go !== baseline.go) out.push(`different Go versions: ${baseline.go} (baseline), ${current.go}`);
  if (current.buildFlags !== baseline.buildFlags) out.push(`different builds: ${JSON.stringify(baseline.buildFlags)} (baseline), ${JSON.stringify(current.buildFlags)}`);
  if (baseline.partial || current.partial) out.push(`${baseline.partial ? 'the baseline' : 'this report'} stops before the program's end`);
  return out;
}

export function compareReports(current: MallocReport, baseline: MallocReport, label?: string): ReportComparison {
  const base = new Map(baseline.lines.map((l) => [key(l.file, l.line), l]));
  const now = new Map(current.lines.map((l) => [key(l.file, l.line), l]));
  const rows: LineComparison[] = [];
  for (const l of current.lines) {
    const b = base.get(key(l.file, l.line));
    if (b) rows.push(lineRow(l.file, l.line, l.function, b, l));
  }
  // Second pass: lines of one function that moved together.
  const group = (lines: LineTally[], other: Map<string, LineTally>) => {
    const out = new Map<string, LineTally[]>();
    for (const l of lines) {
      if (other.has(key(l.file, l.line))) continue;
      const g = `${l.file}\n${l.function}`;
      out.set(g, [...(out.get(g) ?? []), l]);
    }
    return out;
  };
  const onlyBaseline = group(baseline.lines, now);
  const onlyCurrent = group(current.lines, base);
  const moved = new Set<LineTally>();
  for (const [g, lines] of onlyCurrent) {
    const pairs = lines[0].function ? pairMoved(onlyBaseline.get(g) ?? [], lines) : undefined;
    for (const [b, c] of pairs ?? []) {
      rows.push(lineRow(c.file, c.line, c.function, b, c, b.line));
      moved.add(b).add(c);
    }
  }
  for (const l of current.lines) if (!base.has(key(l.file, l.line)) && !moved.has(l)) rows.push(lineRow(l.file, l.line, l.function, undefined, l));
  for (const l of baseline.lines) if (!now.has(key(l.file, l.line)) && !moved.has(l)) rows.push(lineRow(l.file, l.line, l.function, l, undefined));

  const names = [...new Set([...current.unattributed.buckets.map((b) => b.name), ...baseline.unattributed.buckets.map((b) => b.name)])];
  const buckets = names.map((name): BucketComparison => ({
    name,
    ...change(baseline.unattributed.buckets.find((b) => b.name === name), current.unattributed.buckets.find((b) => b.name === name)),
  }));
  return {
    baseline: { go: baseline.go, delve: baseline.delve, buildFlags: baseline.buildFlags, scope: baseline.scope, ...(baseline.engine ? { engine: baseline.engine } : {}), ...(label ? { label } : {}) },
    lines: rows.sort(byChange),
    buckets: buckets.sort(byChange),
    unattributed: change(baseline.unattributed, current.unattributed),
    runtime: change(sumRuntime(baseline), sumRuntime(current)),
    total: change(baseline.total, current.total),
    warnings: comparabilityWarnings(current, baseline),
  };
}

/**
 * Rows by `file:line`: a current line's row (matched there, or moved there), else the row of a
 * line only the baseline counted.
 */
export function rowsByLocation(comparison: ReportComparison): Map<string, LineComparison> {
  const out = new Map<string, LineComparison>();
  for (const row of comparison.lines) {
    const k = key(row.file, row.line);
    if (row.kind !== 'gone' || !out.has(k)) out.set(k, row);
  }
  return out;
}

export function locationKey(file: string, line: number): string {
  return key(file, line);
}
