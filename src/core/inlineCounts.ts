/**
 * Which count each line of a file shows inline, when several sources have counted it: per line the
 * newest source wins (a statement counted after a run shows the statement's count, a run started
 * after it shows the run's). Of debug sessions only the newest one that counted the file takes
 * part, so that a new run does not mix with an old one. Zero is an answer for a counted statement.
 * Every number says its scope, and a line counted both ways shows both (the first execution, then
 * the run), so that `1 alloc` and `40 allocs` on one line never read as a contradiction.
 */
import { formatSourceAmount } from './amountText';
import { heatLevel, HeatLevel, passesMinimumShare } from './heat';
import type { MallocReport } from './report';
import type { LineTally } from './tally';

export interface CountSource {
  id: string;
  label: string;
  /** `profile`: a pprof profile read in (sampled estimates, `report.sampled`). */
  kind: 'debug' | 'statement' | 'profile';
  report: MallocReport;
  /** When it started: orders sources (a live session's updates do not make it newer). */
  started: number;
}

export interface LineCount {
  line: number;
  tally: LineTally;
  level: HeatLevel;
  /** `first run: 1 alloc · 48 B — run: 40 allocs · 1.9 KiB`: every source that counted the line. */
  text: string;
  /** The newest source's count (heat, hover); `text` also names the others. */
  source: CountSource;
  /** Every source that counted the line: the statement count first, then the run. */
  all: { tally: LineTally; source: CountSource }[];
}

/** Between the counts of one line from different scopes. */
export const SCOPE_SEPARATOR = ' — ';

/** The report's lines, plus a zero line for a statement that was reached and allocated nothing. */
export function countedLines(report: MallocReport): LineTally[] {
  const s = report.statement;
  // A zero stands for a statement that allocated nothing; one with counts on any of its lines has them.
  if (report.scope !== 'line' || !s?.reached || report.lines.some((l) => l.file === s.file && l.line >= s.line && l.line <= (s.endLine ?? s.line))) return report.lines;
  return [...report.lines, { file: s.file, line: s.line, function: '', count: 0, bytes: 0, paths: [] }];
}

function newest(a: CountSource, b: CountSource): CountSource {
  return b.started > a.started ? b : a;
}

/**
 * Sources that may show counts in `file`: the newest debug session that counted it, the newest
 * profile read in (its estimates beside the counts, each said as what it is, never added up), and
 * every statement count.
 */
function candidates(sources: readonly CountSource[], file: string): CountSource[] {
  const inFile = sources.filter((s) => countedLines(s.report).some((l) => l.file === file));
  const newestOf = (kind: CountSource['kind']) => inFile.filter((s) => s.kind === kind).reduce<CountSource | undefined>((a, b) => (a ? newest(a, b) : b), undefined);
  return [newestOf('debug'), newestOf('profile'), ...inFile.filter((s) => s.kind === 'statement')].filter((s): s is CountSource => s !== undefined);
}

/**
 * Heat compares a line with the rest of its run. A statement count has nothing to compare with
 * (its one statement is all of it), so it takes the lowest level rather than alarming red.
 */
function levelOf(tally: LineTally, report: MallocReport): HeatLevel {
  if (report.scope === 'line') return tally.count > 0 ? 1 : 0;
  return heatLevel(tally, report.total);
}

export function lineCountsForFile(sources: readonly CountSource[], file: string, minimumSharePercent = 0): LineCount[] {
  const byLine = new Map<number, LineCount>();
  for (const source of candidates(sources, file)) {
    for (const tally of countedLines(source.report)) {
      if (tally.file !== file) continue;
      const current = byLine.get(tally.line);
      const all = [...(current?.all ?? []), { tally, source }];
      const main = current && newest(current.source, source) === current.source ? current : { tally, source };
      byLine.set(tally.line, { line: tally.line, tally: main.tally, level: levelOf(main.tally, main.source.report), text: '', source: main.source, all });
    }
  }
  for (const c of byLine.values()) {
    // The statement's first execution before the run; statement counts of one line newest first.
    c.all.sort((a, b) => (a.source.kind === b.source.kind ? b.source.started - a.source.started : a.source.kind === 'statement' ? -1 : 1));
    c.text = c.all.map((e) => formatSourceAmount(e.tally, e.source.report)).join(SCOPE_SEPARATOR);
  }
  return [...byLine.values()]
    .filter((c) => passesMinimumShare(c.tally, c.source.report.total, minimumSharePercent, c.source.report.scope))
    .sort((a, b) => a.line - b.line);
}

/** The count a line shows (for its hover), ignoring the minimum share. */
export function lineCountAt(sources: readonly CountSource[], file: string, line: number): LineCount | undefined {
  return lineCountsForFile(sources, file).find((c) => c.line === line);
}
