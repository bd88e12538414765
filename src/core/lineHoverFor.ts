/**
 * The hover of one line of a Go file from every count known: which count the line shows
 * (inlineCounts), what its make(...) call makes, and for a map that allocated nothing the lines
 * that paid for it. Pure, for the language server and every editor behind it.
 */
import type { GoParser, MakeCall } from './goSource';
import { CountSource, lineCountAt } from './inlineCounts';
import { MapWrites, renderLineHover } from './lineHover';
import { mapWrites } from './mapPayers';

export interface LineHoverQuery {
  sources: readonly CountSource[];
  file: string;
  /** 1-based. */
  line: number;
  text: string;
  makeCalls: MakeCall[];
  parser: GoParser;
  /** The editor command that opens `file:line`, for links; none: plain names. */
  revealCommand?: string;
}

/** Markdown, or undefined when nothing counted the line. */
export function lineHoverFor(q: LineHoverQuery): string | undefined {
  const count = lineCountAt(q.sources, q.file, q.line);
  if (!count) return undefined;
  const make = q.makeCalls.find((c) => q.line >= c.line && q.line <= c.endLine) ?? q.makeCalls.find((c) => q.line === c.statement.line);
  let writes: MapWrites | undefined;
  if (make?.kind === 'map' && count.tally.count === 0) {
    const found = q.parser.mapWritesOf(q.text, make.line);
    // The newest run that counted this file is the one whose inserts are shown.
    const run = [...q.sources].sort((a, b) => b.started - a.started).find((s) => s.kind === 'debug' && s.report.lines.some((l) => l.file === q.file));
    if (found) writes = mapWrites(found, q.file, run && { label: run.label, report: run.report });
  }
  return renderLineHover({
    line: count.tally,
    report: count.source.report,
    source: count.source.label,
    makes: make?.kind,
    others: count.all.filter((e) => e.source !== count.source).map((e) => ({ line: e.tally, report: e.source.report })),
    mapWrites: writes,
    revealCommand: q.revealCommand,
  });
}
