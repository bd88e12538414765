/**
 * The hover of a counted line, as Markdown: count and bytes, the parts (a map's anatomy when the
 * line makes a map), the main call paths, the compiler's escape verdict when the report carries
 * one, and what was measured (Go, Delve, build). Pure text, so that it can be tested without VS Code.
 */
import { formatAmount, formatShare } from './amountText';
import { formatBytes, formatCount, plural } from './format';
import type { MadeKind } from './goSource';
import { hasMapPart, lineParts, LinePart, mapLayoutOf } from './lineParts';
import { layoutForGo, MAP_HEADER, MAP_PART_MEANING, MapLayout } from './mapAnatomy';
import type { MallocReport } from './report';
import { describeBuild, describePath } from './reportText';
import { shareOf } from './heat';
import type { LineTally } from './tally';

export interface LineHoverInput {
  line: LineTally;
  report: MallocReport;
  /** Where the numbers come from: a debug session's name, or "count mallocs". */
  source: string;
  /** What the line's make(...) call makes, when it has one (from goSource). */
  makes?: MadeKind;
}

const MAX_PATHS = 3;

const LAYOUT_TITLE: Record<MapLayout, string> = { classic: 'Classic map (hmap)', swiss: 'Swiss map' };

function code(s: string): string {
  return `\`${s.replace(/`/g, "'")}\``;
}

function cell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

function scopeText(input: LineHoverInput): string {
  const { line, report } = input;
  if (report.scope === 'line') return 'first execution of this statement';
  return `${formatShare(shareOf(line, report.total))} of the run's ${plural(report.total.count, 'alloc')}`;
}

/** Byte amounts never wrap inside a table cell. */
function bytesCell(bytes: number): string {
  return formatBytes(bytes).replace(' ', '\u00a0');
}

function partsTable(parts: LinePart[], header = 'allocation'): string[] {
  const rows = [`| ${header} | allocs | bytes | |`, '|:--|--:|--:|:--|'];
  for (const p of parts) {
    const notes = [p.mapPart ? MAP_PART_MEANING[p.mapPart] : '', ...p.details].filter(Boolean).join(' · ');
    // Names (a map part, an inspected kind) in bold; call paths as code.
    rows.push(`| ${cell(p.mapPart || p.inspected ? `**${p.label}**` : code(p.label))} | ${formatCount(p.count)} | ${bytesCell(p.bytes)} | ${cell(notes)} |`);
  }
  return rows;
}

/** The map's parts, with the header marked as not on the heap when the line allocated none. */
function mapSection(parts: LinePart[], layout: MapLayout, line: LineTally): string[] {
  const header = MAP_HEADER[layout];
  const rows = partsTable(parts, 'part');
  if (!hasMapPart(parts, header)) {
    rows.splice(2, 0, `| **${header}** | 0 | — | ${MAP_PART_MEANING[header]} · not on the heap |`);
  }
  return [`**${LAYOUT_TITLE[layout]}** · ${formatAmount(line)}`, '', ...rows];
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
  const out: string[] = [`**${formatAmount(line)}** · ${scopeText(input)}`, ''];

  const parts = lineParts(line, report.go);
  const layout = mapLayoutOf(parts) ?? (input.makes === 'map' ? layoutForGo(report.go) : undefined);
  if (layout && (input.makes === 'map' || mapLayoutOf(parts))) {
    out.push(...mapSection(parts, layout, line), '');
  } else if (parts.some((p) => p.inspected)) {
    out.push(...partsTable(parts), '');
  }

  if (line.paths.length > 0) {
    out.push('**Call paths**', '');
    for (const p of line.paths.slice(0, MAX_PATHS)) out.push(`- ${code(describePath(p))} · ${formatAmount(p)}`);
    if (line.paths.length > MAX_PATHS) out.push(`- ${plural(line.paths.length - MAX_PATHS, 'more path')}`);
    out.push('');
  }

  const escape = escapeSection(line, report);
  if (escape.length > 0) out.push(...escape, '');

  out.push(`_${describeBuild(report)} · ${input.source}_`);
  return out.join('\n');
}
