/**
 * The allocation tree as plain data: source (debug session or statement count) → file → line →
 * part (call path, or kind when allocations were inspected), each with count and bytes, sorted by
 * either. The VS Code tree view only maps these nodes to TreeItems.
 */
import * as path from 'node:path';
import { formatAmount } from './amountText';
import { countedLines } from './inlineCounts';
import { lineParts } from './lineParts';
import type { MallocReport } from './report';
import { describeBuild, describePath } from './reportText';
import type { Amount, LineTally } from './tally';

export type SortKey = 'count' | 'bytes';

export type TreeNodeType = 'source' | 'file' | 'line' | 'part' | 'outside' | 'bucket';

export interface AllocationTreeNode {
  /** Stable across refreshes, so that the view keeps expansion and selection. */
  id: string;
  type: TreeNodeType;
  label: string;
  /** `5 allocs · 34.1 KiB` (and `· running` for a live session). */
  description: string;
  amount: Amount;
  tooltip?: string;
  /** Where clicking goes. */
  location?: { file: string; line: number };
  /** The source this node belongs to (for clear / export). */
  sourceId: string;
  children: AllocationTreeNode[];
}

export interface TreeSource {
  id: string;
  label: string;
  report: MallocReport;
  live: boolean;
}

export interface TreeOptions {
  sortBy: SortKey;
  /** Workspace folders: file labels are relative to the one containing them. */
  roots: string[];
  /** The source text of a line, trimmed, when the file can be read. */
  sourceLine?: (file: string, line: number) => string | undefined;
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

function lineNode(source: TreeSource, line: LineTally, options: TreeOptions): AllocationTreeNode {
  const id = `${source.id}|${line.file}:${line.line}`;
  const text = options.sourceLine?.(line.file, line.line);
  const parts = lineParts(line, source.report.go);
  const children = parts.map((p, i): AllocationTreeNode => ({
    id: `${id}|${i}|${p.label}`,
    type: 'part',
    label: p.label,
    description: formatAmount(p),
    amount: { count: p.count, bytes: p.bytes },
    tooltip: p.details.length > 0 ? p.details.join('\n') : undefined,
    location: { file: line.file, line: line.line },
    sourceId: source.id,
    children: [],
  }));
  // Inspected parts keep the order they were allocated in; call paths follow the sort.
  const ordered = parts.some((p) => p.inspected) ? children : sortNodes(children, options.sortBy);
  return {
    id,
    type: 'line',
    label: text ? `${line.line}: ${text}` : `line ${line.line}`,
    description: formatAmount(line),
    amount: { count: line.count, bytes: line.bytes },
    tooltip: `${line.function} · ${path.basename(line.file)}:${line.line}`,
    location: { file: line.file, line: line.line },
    sourceId: source.id,
    children: ordered,
  };
}

function outsideNode(source: TreeSource, sortBy: SortKey): AllocationTreeNode | undefined {
  const { unattributed } = source.report;
  if (unattributed.count === 0) return undefined;
  const buckets = unattributed.buckets.map((b): AllocationTreeNode => ({
    id: `${source.id}|outside|${b.name}`,
    type: 'bucket',
    label: b.name,
    description: formatAmount(b),
    amount: { count: b.count, bytes: b.bytes },
    tooltip: b.paths[0] ? `main path: ${describePath(b.paths[0])}` : undefined,
    sourceId: source.id,
    children: [],
  }));
  return {
    id: `${source.id}|outside`,
    type: 'outside',
    label: 'outside your code',
    description: formatAmount(unattributed),
    amount: { count: unattributed.count, bytes: unattributed.bytes },
    tooltip: 'Allocations with no frame of your module on the stack (runtime and package initialisation, the garbage collector, libraries)',
    sourceId: source.id,
    children: sortNodes(buckets, sortBy),
  };
}

export function buildSourceNode(source: TreeSource, options: TreeOptions): AllocationTreeNode {
  const byFile = new Map<string, LineTally[]>();
  for (const line of countedLines(source.report)) byFile.set(line.file, [...(byFile.get(line.file) ?? []), line]);
  const files = [...byFile].map(([file, lines]): AllocationTreeNode => {
    const amount = lines.reduce((sum, l) => ({ count: sum.count + l.count, bytes: sum.bytes + l.bytes }), { count: 0, bytes: 0 });
    return {
      id: `${source.id}|${file}`,
      type: 'file',
      label: fileLabel(file, options.roots),
      description: formatAmount(amount),
      amount,
      tooltip: file,
      sourceId: source.id,
      children: sortNodes(lines.map((l) => lineNode(source, l, options)), options.sortBy),
    };
  });
  const children = sortNodes(files, options.sortBy);
  const outside = outsideNode(source, options.sortBy);
  if (outside) children.push(outside);
  const { report } = source;
  const state = source.live ? ' · running' : report.statement && !report.statement.reached ? ' · not reached' : '';
  return {
    id: source.id,
    type: 'source',
    label: source.label,
    description: `${formatAmount(report.total)}${state}`,
    amount: report.total,
    tooltip: describeBuild(report),
    sourceId: source.id,
    children,
  };
}

/** Newest source first: sources are listed in the order given. */
export function buildAllocationTree(sources: TreeSource[], options: TreeOptions): AllocationTreeNode[] {
  return sources.map((s) => buildSourceNode(s, options));
}

/** A node and everything under it as indented text (what "Copy" puts on the clipboard). */
export function nodeAsText(node: AllocationTreeNode, depth = 0): string {
  const own = `${'  '.repeat(depth)}${node.label}  ${node.description}`;
  return [own, ...node.children.map((c) => nodeAsText(c, depth + 1))].join('\n');
}
