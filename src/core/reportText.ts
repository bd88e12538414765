/** Human-readable renderings of a report for the CLI. */
import * as path from 'node:path';
import { formatBytes, formatCount, plural } from './format';
import { MallocReport } from './report';
import { describeSelection, RowSelection, selectRows } from './rowSelection';
import { renderTable } from './table';
import { PathTally, RuntimeShare } from './tally';

export const ALLOCATOR_FRAME = /^runtime\.(mallocgc|newobject|newarray|mallocgc\w+|malloc\w+)$/;
const MAX_PATH_FRAMES = 4;

/** The main call path, without the allocator's own frames, shortened to its first callees. */
export function describePath(p: PathTally | undefined): string {
  if (!p) return '';
  const frames = p.frames.filter((f) => !ALLOCATOR_FRAME.test(f));
  if (frames.length === 0) return p.frames.length > 0 ? p.frames[0] : '(direct)';
  const shown = frames.slice(0, MAX_PATH_FRAMES).join(' → ');
  return frames.length > MAX_PATH_FRAMES ? `${shown} → …` : shown;
}

export function relativeLocation(file: string, line: number, cwd: string): string {
  const rel = path.relative(cwd, file);
  const outside = rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);
  return `${outside ? file : rel}:${line}`;
}

export function describeBuild(report: Pick<MallocReport, 'go' | 'delve' | 'buildFlags'>): string {
  const build = report.buildFlags.includes('-N -l') ? `debug build (${report.buildFlags})` : `optimized build${report.buildFlags ? ` (${report.buildFlags})` : ''}`;
  return `${report.go} · Delve ${report.delve} · ${build}`;
}

/** `+7 GC start`: what the runtime allocated on the line's behalf, beside its own count. */
export function describeRuntimeShare(share: RuntimeShare | undefined): string {
  if (!share) return '';
  return `+${formatCount(share.count)} ${share.reasons.map((r) => r.reason).join(', ')}`;
}

export function renderLinesTable(report: MallocReport, cwd: string, selection: RowSelection = {}): string {
  interface Row { cells: string[]; count: number; frames: string[] }
  const shares = report.lines.some((l) => l.runtime);
  // A sampled profile's figures are estimates: never printed like exact counts.
  const about = report.sampled ? '≈' : '';
  const all: Row[] = report.lines.map((l) => ({
    cells: [relativeLocation(l.file, l.line, cwd), l.function, about + formatCount(l.count), about + formatCount(l.bytes), ...(shares ? [describeRuntimeShare(l.runtime)] : []), describePath(l.paths[0])],
    count: l.count,
    frames: l.paths.flatMap((p) => p.frames),
  }));
  for (const b of report.unattributed.buckets) {
    all.push({ cells: [`(${b.name})`, '', about + formatCount(b.count), about + formatCount(b.bytes), ...(shares ? [''] : []), describePath(b.paths[0])], count: b.count, frames: b.paths.flatMap((p) => p.frames) });
  }
  // Location, function and every frame of every call path: "json.Marshal" finds the lines that call it.
  const chosen = selectRows(all, (r) => [r.cells[0], r.cells[1], ...r.frames], (r) => r.count, selection);
  const table = renderTable(
    [
      { header: 'LOCATION' }, { header: 'FUNCTION' }, { header: 'COUNT', align: 'right' }, { header: 'BYTES', align: 'right' },
      ...(shares ? [{ header: 'BY THE RUNTIME' }] : []),
      { header: 'MAIN PATH' },
    ],
    chosen.rows.map((r) => r.cells),
  );
  const cut = describeSelection(chosen.rows.length, chosen.of, selection);
  return `${table}\n${cut ? `${cut}\n` : ''}${renderTotals(report)}`;
}

export function renderTotals(report: MallocReport): string {
  if (report.sampled) return renderSampledTotals(report);
  const attributed = report.total.count - report.unattributed.count;
  const scope = report.scope === 'line' && report.statement
    ? `line ${report.statement.line}, first execution`
    : 'whole run';
  const accounted = report.check?.complete && report.check.runtimeMallocs !== undefined ? '; all the runtime counted' : '';
  return `total: ${plural(report.total.count, 'allocation')}, ${formatBytes(report.total.bytes)} (${scope}; ${formatCount(attributed)} in your code${accounted}) — ${describeBuild(report)}`;
}

/** `≈1,234 allocations … sampled: one sample per 512 KiB allocated`: a profile read in, not a count. */
export function describeSampling(sampled: NonNullable<MallocReport['sampled']>): string {
  const what = sampled.kind === 'inuse' ? 'in use at the profile\'s last GC' : 'allocated';
  return `sampled profile (${what}): one sample per ${formatBytes(sampled.rate)} on average (MemProfileRate ${formatCount(sampled.rate)}), figures are the runtime's estimates`;
}

function renderSampledTotals(report: MallocReport): string {
  const attributed = report.total.count - report.unattributed.count;
  return `total: ≈${plural(report.total.count, 'allocation')}, ≈${formatBytes(report.total.bytes)} (≈${formatCount(attributed)} in your code) — ${describeSampling(report.sampled!)}; ${report.sampled!.file}`;
}
