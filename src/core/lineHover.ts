/**
 * The hover of a counted line, as Markdown. Top to bottom, most telling first: the count with its
 * scope (and the other scope's count when the line has both), the compiler's escape analysis, the
 * parts as a compact aligned table (a map's anatomy when the line makes a map), where a map that
 * allocated nothing gets its storage, the call paths folded to their ends, and what was measured.
 * Pure text, so that it can be tested without VS Code.
 */
import { formatAmount, formatReportAmount, formatSampleRate, formatSourceAmount, formatShare } from './amountText';
import { callerChainText } from './callersText';
import { formatBytes, formatCount, plural } from './format';
import type { MadeKind } from './goSource';
import { shareOf } from './heat';
import { hasMapPart, lineParts, LinePart, mapLayoutOf } from './lineParts';
import { layoutForGo, MAP_HEADER, MAP_PART_MEANING, MapLayout } from './mapAnatomy';
import type { MallocReport } from './report';
import { ALLOCATOR_FRAME, describeBuild } from './reportText';
import { renderTable } from './table';
import type { Amount, LineTally, PathTally } from './tally';

/** The same line counted by another source (a statement count beside a run, or the reverse). */
export interface OtherCount {
  line: LineTally;
  report: MallocReport;
}

/** Lines that write into the map made here, and what a run counted on them. */
export interface MapWrites {
  name: string;
  /** Every write line, counted or not. */
  lines: number[];
  /** Write lines a run counted allocations on (through map inserts when the path says so). */
  paid: { file: string; line: number; amount: Amount }[];
  /** The run that counted them, when there is one. */
  run?: string;
}

export interface LineHoverInput {
  line: LineTally;
  report: MallocReport;
  /** Where the numbers come from: a debug session's name, or "count mallocs". */
  source: string;
  /** What the line's make(...) call makes, when it has one (from goSource). */
  makes?: MadeKind;
  others?: OtherCount[];
  mapWrites?: MapWrites;
  /** The command that opens `file:line` (links to the lines that paid); none: plain text. */
  revealCommand?: string;
}

const MAX_PATHS = 3;
const MAX_CALLERS = 3;
/** A call path longer than this shows its first and last frames only. */
const FOLD_AFTER = 3;

const LAYOUT_TITLE: Record<MapLayout, string> = { classic: 'Classic map (hmap)', swiss: 'Swiss map' };
const ROOM_ON_STACK: Record<MapLayout, string> = { classic: 'its first bucket (8 entries)', swiss: 'its first group (8 slots)' };

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

function scopeText(line: Amount, report: MallocReport): string {
  if (report.sampled) return `${formatShare(shareOf(line, report.total))} of the profile's ≈${plural(report.total.count, 'alloc')}`;
  if (report.scope === 'line') return 'first execution of this statement';
  if (report.scope === 'op') return `${formatShare(shareOf(line, report.total))} of ${report.benchmarks?.[0]?.name ?? 'the benchmark'}'s allocations per op (its last run of b.N, timer windows only)`;
  return `${formatShare(shareOf(line, report.total))} of the run's ${plural(report.total.count, 'alloc')}`;
}

/** `runtime.makemap → maps.NewMap → … → maps.newarray` (6 frames): the ends say where it went. */
export function foldPath(p: PathTally): string {
  const frames = p.frames.filter((f) => !ALLOCATOR_FRAME.test(f));
  if (frames.length === 0) return p.frames[0] ?? '(direct)';
  if (frames.length <= FOLD_AFTER) return frames.join(' → ');
  return `${frames.slice(0, 2).join(' → ')} → … → ${frames[frames.length - 1]} (${frames.length} frames)`;
}

/** Notes longer than this go on continuation rows: a wrapped row breaks the table's alignment. */
const NOTE_WIDTH = 44;

/** Words joined with ` · ` into lines of at most NOTE_WIDTH characters (a longer word keeps its own line). */
function noteLines(notes: string[]): string[] {
  const lines: string[] = [];
  for (const n of notes) {
    const last = lines.length - 1;
    if (last >= 0 && lines[last].length + 3 + n.length <= NOTE_WIDTH) lines[last] += ` · ${n}`;
    else lines.push(n);
  }
  return lines.length > 0 ? lines : [''];
}

/** Parts in rows, numbers right-aligned, in a code block: Markdown tables run their columns together in hovers. */
function partsTable(parts: LinePart[], header: string, missingHeader?: string): string[] {
  const rows: string[][] = [];
  if (missingHeader) rows.push([missingHeader, '0', '—', `${MAP_PART_MEANING[missingHeader as keyof typeof MAP_PART_MEANING]} · not on the heap`]);
  for (const p of parts) {
    const [first, ...more] = noteLines([p.mapPart ? MAP_PART_MEANING[p.mapPart] : '', ...p.details].filter(Boolean));
    rows.push([p.label, formatCount(p.count), formatBytes(p.bytes), first]);
    for (const line of more) rows.push(['', '', '', line]);
  }
  const table = renderTable([{ header }, { header: 'allocs', align: 'right' }, { header: 'bytes', align: 'right' }, { header: '' }], rows);
  return ['```text', table, '```'];
}

function mapSection(parts: LinePart[], layout: MapLayout, line: LineTally): string[] {
  const header = MAP_HEADER[layout];
  const missing = hasMapPart(parts, header) ? undefined : header;
  return [`**${LAYOUT_TITLE[layout]}** · ${formatAmount(line)}`, '', ...partsTable(parts, 'part', missing)];
}

function lineLink(file: string, line: number, command?: string): string {
  const name = `${file.split(/[\\/]/).pop()}:${line}`;
  if (!command) return name;
  return `[${name}](command:${command}?${encodeURIComponent(JSON.stringify([file, line]))} "Go to ${name}")`;
}

/**
 * A make(map…) that allocated nothing did not escape: the compiler put its header and room for
 * eight entries on the stack. The heap is paid later, by the inserts beyond eight, on their lines.
 */
export function emptyMapSection(input: LineHoverInput, layout: MapLayout): string[] {
  const out = [
    `**Nothing on the heap here.** The map does not escape, so its header and ${ROOM_ON_STACK[layout]} live on the stack; `
    + 'storage comes from the heap on the insert that outgrows them, counted on the line that inserts.',
  ];
  const w = input.mapWrites;
  if (!w) return out;
  if (w.paid.length > 0) {
    const links = w.paid.map((p) => `${lineLink(p.file, p.line, input.revealCommand)} ${formatAmount(p.amount)}`).join(' · ');
    out.push('', `**Paid by** the inserts into ${code(w.name)}${w.run ? ` (${w.run})` : ''}: ${links}`);
  } else if (w.lines.length > 0) {
    out.push('', `Inserts into ${code(w.name)}: line${w.lines.length > 1 ? 's' : ''} ${w.lines.join(', ')}${w.run ? `; ${w.run} counted no allocation there` : ' — run the program under malloclens to see what they cost'}.`);
  }
  return out;
}

/**
 * The compiler's escape analysis of a counted statement (report.prediction, line scope), on the
 * statement's lines: what it said, and how the measurement disagrees when it does.
 */
export function escapeSection(line: LineTally, report: MallocReport): string[] {
  const prediction = report.prediction;
  const statement = report.statement;
  if (!prediction || !statement || line.line < statement.line || line.line > (statement.endLine ?? statement.line)) return [];
  const said = prediction.messages.map((m) => `${code(m.subject)} ${m.verdict}`).join('; ') || 'no verdict on this statement';
  const out = [`**Escape analysis** (\`-gcflags=-m\`): ${said}`];
  if (!prediction.agrees && prediction.note) out.push('', `Measured otherwise: ${prediction.note}.`);
  return out;
}

export function renderLineHover(input: LineHoverInput): string {
  const { line, report } = input;
  const out: string[] = [`**${formatSourceAmount(line, report)}** · ${scopeText(line, report)}`];
  for (const o of input.others ?? []) out.push('', `${formatSourceAmount(o.line, o.report)} · ${scopeText(o.line, o.report)}`);
  out.push('');

  const escape = escapeSection(line, report);
  if (escape.length > 0) out.push(...escape, '');

  const parts = lineParts(line, report.go);
  const layout = mapLayoutOf(parts) ?? (input.makes === 'map' ? layoutForGo(report.go) : undefined);
  let tableShown = false;
  if (layout && (input.makes === 'map' || mapLayoutOf(parts))) {
    out.push(...mapSection(parts, layout, line), '');
    if (line.count === 0 && input.makes === 'map') out.push(...emptyMapSection(input, layout), '');
    tableShown = true;
  } else if (parts.some((p) => p.inspected)) {
    out.push(...partsTable(parts, 'allocation'), '');
    tableShown = true;
  }

  if (line.paths.length > 0 && tableShown) {
    // The table already says what was allocated: one line for where it went keeps the hover short.
    const more = line.paths.length > 1 ? ` (and ${plural(line.paths.length - 1, 'more path')})` : '';
    out.push(`**Main path** ${code(foldPath(line.paths[0]))} · ${formatAmount(line.paths[0])}${more}`, '');
  } else if (line.paths.length > 0) {
    out.push('**Call paths**', '');
    for (const p of line.paths.slice(0, MAX_PATHS)) out.push(`- ${code(foldPath(p))} · ${formatReportAmount(p, report)}`);
    if (line.paths.length > MAX_PATHS) out.push(`- ${plural(line.paths.length - MAX_PATHS, 'more path')}`);
    out.push('');
  }

  out.push(...callersSection(line, report));

  out.push(report.sampled
    ? `_pprof profile · ${formatSampleRate(report.sampled)} (MemProfileRate ${formatCount(report.sampled.rate)}): the runtime's estimates, not counts · ${input.source}_`
    : `_${describeBuild(report)} · ${input.source}_`);
  return out.join('\n');
}

/** Who called the line, most first (pprof -peek's callers): only when there is more than one story. */
export function callersSection(line: LineTally, report: MallocReport): string[] {
  const callers = line.callers ?? [];
  if (callers.length === 0) return [];
  const out = ['**Called from**', ''];
  for (const c of callers.slice(0, MAX_CALLERS)) out.push(`- ${code(callerChainText(c))} · ${formatReportAmount(c, report)}`);
  if (callers.length > MAX_CALLERS) out.push(`- ${plural(callers.length - MAX_CALLERS, 'more caller')}`);
  out.push('');
  return out;
}
