/**
 * The allocation tree as plain data: source (debug session or statement count) → file → line →
 * part (call path, or kind when allocations were inspected), each with count and bytes, sorted by
 * either. The VS Code tree view only maps these nodes to TreeItems.
 */
import * as path from 'node:path';
import { formatReportAmount, formatSampleRate, formatScopedAmount, formatShare } from './amountText';
import { callerChainText, nearestCaller } from './callersText';
import { formatDelta } from './format';
import { shareOf } from './heat';
import { countedLines } from './inlineCounts';
import { lineParts } from './lineParts';
import { describeBuild, describePath } from './reportText';
import { clockTime, distinctLabels, ENGINE_LABEL, SourceFacts, sourceFactsText, SourceState, sourceState, stateText } from './sourceState';
import type { MallocReport, Scope } from './report';
import type { Amount, LineTally } from './tally';
import { LineComparison, locationKey, ReportComparison, rowsByLocation } from './compare';
import { describeAmountDelta, describeRowChange, formatAmountWithDelta } from './compareText';

/** A benchmark's figures are per op (`3 allocs/op · 96 B/op`), a profile's sampled (`≈3 allocs`); every other report's are counts. */
function amountIn(amount: Amount, report: Pick<MallocReport, 'scope' | 'sampled'>): string {
  return report.scope === 'op' ? formatScopedAmount(amount, 'op') : formatReportAmount(amount, report);
}

/** With a baseline, the difference beside the count (`3,000 allocs (+1,000)`). */
function amountWithDelta(amount: Amount, report: Pick<MallocReport, 'scope' | 'sampled'>, row: Parameters<typeof formatAmountWithDelta>[1]): string {
  return row ? formatAmountWithDelta(amount, row) : amountIn(amount, report);
}

const SCOPE_TEXT: Record<Scope, string> = {
  line: 'first execution of the statement',
  run: 'the whole run',
  op: "per op: the benchmark's last run of b.N, timer windows only, over b.N",
};

export type SortKey = 'count' | 'bytes';

export type TreeNodeType = 'source' | 'file' | 'line' | 'part' | 'outside' | 'bucket' | 'callers' | 'caller';

export interface AllocationTreeNode {
  /** Stable across refreshes, so that the view keeps expansion and selection. */
  id: string;
  type: TreeNodeType;
  label: string;
  /** Lines: where and the source text; sources: amount, scope, state, start, engine; else the amount. */
  description: string;
  amount: Amount;
  tooltip?: string;
  /** Where clicking goes. */
  location?: { file: string; line: number };
  /** Source rows: running, complete, stopped early or not reached (the view picks an icon). */
  state?: SourceState;
  /** The source this node belongs to (for clear / export). */
  sourceId: string;
  /** File rows: the file changed since it was counted. */
  stale?: boolean;
  children: AllocationTreeNode[];
}

export type TreeSource = SourceFacts;

export interface TreeOptions {
  sortBy: SortKey;
  /** Workspace folders: file labels are relative to the one containing them. */
  roots: string[];
  /** The source text of a line, trimmed, when the file can be read. */
  sourceLine?: (file: string, line: number) => string | undefined;
  /** A source's comparison with the chosen baseline, when it is compared (see ui/baseline.ts). */
  compare?: (source: TreeSource) => ReportComparison | undefined;
  /** The baseline's name, and the source it came from (its row says "baseline"). */
  baseline?: { label: string; sourceId?: string };
  /** Files a source counted that changed since (their rows say so). */
  staleFiles?: (source: TreeSource) => string[];
}

export function compareAmounts(sortBy: SortKey): (a: Amount, b: Amount) => number {
  return sortBy === 'count'
    ? (a, b) => b.count - a.count || b.bytes - a.bytes
    : (a, b) => b.bytes - a.bytes || b.count - a.count;
}

function sortNodes(nodes: AllocationTreeNode[], sortBy: SortKey): AllocationTreeNode[] {
  const byAmount = compareAmounts(sortBy);
  return nodes.sort((a, b) => byAmount(a.amount, b.amount) || a.label.localeCompare(b.label, 'en', { numeric: true }));
}

export function fileLabel(file: string, roots: string[]): string {
  for (const root of roots) {
    const rel = path.relative(root, file);
    if (rel && !rel.startsWith('..') && !path.isAbsolute(rel)) return rel;
  }
  return file;
}

/** "called from": the line's allocations by who called it (pprof -peek's callers), when anyone did. */
function callersNode(source: TreeSource, line: LineTally, lineId: string, sortBy: SortKey): AllocationTreeNode | undefined {
  const callers = line.callers ?? [];
  if (callers.length === 0) return undefined;
  const { report } = source;
  const children = callers.map((c, i): AllocationTreeNode => {
    const at = nearestCaller(c);
    return {
      id: `${lineId}|caller|${i}|${callerChainText(c)}`,
      type: 'caller',
      label: formatReportAmount(c, report),
      description: callerChainText(c),
      amount: { count: c.count, bytes: c.bytes },
      tooltip: [...c.frames.map((f) => `${f.function}${f.file ? `  ${f.file}:${f.line}` : ''}`), ...(c.truncated ? ['(the recorded stack ends here: callers above it are not known)'] : [])].join('\n'),
      location: at?.file && at.line !== undefined ? { file: at.file, line: at.line } : undefined,
      sourceId: source.id,
      children: [],
    };
  });
  return {
    id: `${lineId}|callers`,
    type: 'callers',
    label: 'called from',
    description: callers.length === 1 ? callerChainText(callers[0]) : `${callers.length} callers`,
    amount: { count: line.count, bytes: line.bytes },
    tooltip: 'The line\'s allocations by the user code that called it (nearest frames last), as pprof -peek shows callers',
    sourceId: source.id,
    children: sortNodes(children, sortBy),
  };
}

function lineNode(source: TreeSource, line: LineTally, options: TreeOptions, row?: LineComparison): AllocationTreeNode {
  const id = `${source.id}|${line.file}:${line.line}`;
  const text = options.sourceLine?.(line.file, line.line);
  const parts = lineParts(line, source.report.go);
  const children = parts.map((p, i): AllocationTreeNode => ({
    id: `${id}|${i}|${p.label}`,
    type: 'part',
    label: p.label,
    description: formatReportAmount(p, source.report),
    amount: { count: p.count, bytes: p.bytes },
    tooltip: p.details.length > 0 ? p.details.join('\n') : undefined,
    location: { file: line.file, line: line.line },
    sourceId: source.id,
    children: [],
  }));
  // Inspected parts keep the order they were allocated in; call paths follow the sort.
  const ordered = parts.some((p) => p.inspected) ? children : sortNodes(children, options.sortBy);
  // The count first (labels are cut at the right, descriptions after them), then where, then what.
  const { report } = source;
  const label = report.scope === 'line'
    ? `${formatScopedAmount(line, 'line')}${row ? ` (${formatDelta(row.delta.count)})` : ''}`
    : `${amountWithDelta(line, report, row)} · ${formatShare(shareOf(line, report.total))}`;
  const callers = callersNode(source, line, id, options.sortBy);
  const where = `${path.basename(line.file)}:${line.line}`;
  return {
    id,
    type: 'line',
    label,
    description: text ? `${where}  ${text}` : where,
    amount: { count: line.count, bytes: line.bytes },
    tooltip: [
      `${where} · ${line.function}`, text ?? '',
      report.scope === 'line' ? SCOPE_TEXT.line : `${formatShare(shareOf(line, report.total))} of the ${report.scope === 'op' ? "benchmark's" : "run's"} allocations`,
      row && options.baseline ? describeRowChange(row, options.baseline.label) : '',
    ].filter(Boolean).join('\n'),
    location: { file: line.file, line: line.line },
    sourceId: source.id,
    children: callers ? [callers, ...ordered] : ordered,
  };
}

function outsideNode(source: TreeSource, sortBy: SortKey): AllocationTreeNode | undefined {
  const { unattributed } = source.report;
  if (unattributed.count === 0) return undefined;
  const buckets = unattributed.buckets.map((b): AllocationTreeNode => ({
    id: `${source.id}|outside|${b.name}`,
    type: 'bucket',
    label: b.name,
    description: amountIn(b, source.report),
    amount: { count: b.count, bytes: b.bytes },
    tooltip: b.paths[0] ? `main path: ${describePath(b.paths[0])}` : undefined,
    sourceId: source.id,
    children: [],
  }));
  return {
    id: `${source.id}|outside`,
    type: 'outside',
    label: 'outside your code',
    description: amountIn(unattributed, source.report),
    amount: { count: unattributed.count, bytes: unattributed.bytes },
    tooltip: 'Allocations with no frame of your module on the stack (runtime and package initialisation, the garbage collector, libraries)',
    sourceId: source.id,
    children: sortNodes(buckets, sortBy),
  };
}

export function buildSourceNode(source: TreeSource, options: TreeOptions, label = source.label): AllocationTreeNode {
  const comparison = options.compare?.(source);
  const rows = comparison ? rowsByLocation(comparison) : undefined;
  const byFile = new Map<string, LineTally[]>();
  for (const line of countedLines(source.report)) byFile.set(line.file, [...(byFile.get(line.file) ?? []), line]);
  // Lines only the baseline counted: a zero with its difference, in the files this source counted.
  for (const row of comparison?.lines ?? []) {
    if (row.kind === 'gone' && byFile.has(row.file)) byFile.get(row.file)!.push({ file: row.file, line: row.line, function: row.function, count: 0, bytes: 0, paths: [] });
  }
  const stale = new Set(options.staleFiles?.(source) ?? []);
  const files = [...byFile].map(([file, lines]): AllocationTreeNode => {
    const amount = lines.reduce((sum, l) => ({ count: sum.count + l.count, bytes: sum.bytes + l.bytes }), { count: 0, bytes: 0 });
    return {
      id: `${source.id}|${file}`,
      type: 'file',
      label: fileLabel(file, options.roots),
      description: `${amountIn(amount, source.report)}${stale.has(file) ? ' · changed since counted' : ''}`,
      amount,
      tooltip: file,
      stale: stale.has(file) || undefined,
      sourceId: source.id,
      children: sortNodes(lines.map((l) => lineNode(source, l, options, rows?.get(locationKey(l.file, l.line)))), options.sortBy),
    };
  });
  const children = sortNodes(files, options.sortBy);
  const outside = outsideNode(source, options.sortBy);
  if (outside) children.push(outside);
  const { report } = source;
  const engine = source.engine ?? (source.kind === 'statement' ? 'breakpoints' : undefined);
  return {
    id: source.id,
    type: 'source',
    label,
    // The difference beside the count, like a line's; in words in the tooltip. The state stays near the front.
    description: [
      amountWithDelta(report.total, report, comparison?.total),
      ...(options.baseline?.sourceId === source.id ? ['baseline'] : []),
      sourceFactsText(source),
    ].join(' · '),
    amount: report.total,
    state: sourceState(source),
    tooltip: report.sampled ? [
      label,
      `pprof profile ${report.sampled.file}`,
      `${formatSampleRate(report.sampled)} on average (MemProfileRate ${report.sampled.rate}): the runtime's estimates, not counts`,
      `opened ${clockTime(source.started)}`,
    ].join('\n') : [
      label,
      `${SCOPE_TEXT[report.scope]} · ${stateText(source)}`,
      `started ${clockTime(source.started)}${engine ? ` · ${ENGINE_LABEL[engine]}` : ''}`,
      describeBuild(report),
      ...(source.imported ? [`imported from ${source.imported}`] : source.earlier ? ['counted in an earlier window'] : []),
      ...(comparison && options.baseline ? [`compared with ${options.baseline.label}: ${describeAmountDelta(comparison.total)}`, ...comparison.warnings.map((w) => `note: ${w}`)] : []),
      ...(stale.size > 0 ? [`changed since counted: ${[...stale].map((f) => fileLabel(f, options.roots)).join(', ')}`] : []),
    ].join('\n'),
    sourceId: source.id,
    children,
  };
}

/** Newest source first: sources are listed in the order given. Same names are numbered. */
export function buildAllocationTree(sources: TreeSource[], options: TreeOptions): AllocationTreeNode[] {
  const labels = distinctLabels(sources);
  return sources.map((s) => buildSourceNode(s, options, labels.get(s.id)));
}

/** A node and everything under it as indented text (what "Copy" puts on the clipboard). */
export function nodeAsText(node: AllocationTreeNode, depth = 0): string {
  const own = `${'  '.repeat(depth)}${node.label}  ${node.description}`;
  return [own, ...node.children.map((c) => nodeAsText(c, depth + 1))].join('\n');
}
