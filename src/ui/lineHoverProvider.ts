/**
 * The hover of a counted line (core/lineHover.ts): count with its scope (both scopes when a run and
 * a statement count both have the line), escape analysis, parts, and for a map that allocated
 * nothing the lines that paid for it, as links.
 */
import * as vscode from 'vscode';
import { loadGoParser } from '../core/goSource';
import { lineCountAt } from '../core/inlineCounts';
import { renderLineHover } from '../core/lineHover';
import { mapWrites } from '../core/mapPayers';
import { REVEAL_COMMAND } from './allocationTreeView';
import type { GoDocuments } from './goDocuments';
import type { TallyStore } from './tallyStore';

export class LineHoverProvider implements vscode.HoverProvider {
  constructor(private readonly documents: GoDocuments, private readonly store: TallyStore) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (document.uri.scheme !== 'file') return undefined;
    const file = document.uri.fsPath;
    const line = position.line + 1;
    const sources = this.store.list();
    const count = lineCountAt(sources, file, line);
    if (!count) return undefined;
    const calls = await this.documents.makeCalls(document);
    const make = calls.find((c) => line >= c.line && line <= c.endLine) ?? calls.find((c) => line === c.statement.line);
    let writes;
    if (make?.kind === 'map' && count.tally.count === 0) {
      const found = (await loadGoParser()).mapWritesOf(document.getText(), make.line);
      // The newest run that counted this file is the one whose inserts are shown.
      const run = sources.find((s) => s.kind === 'debug' && s.report.lines.some((l) => l.file === file));
      if (found) writes = mapWrites(found, file, run && { label: run.label, report: run.report });
    }
    const markdown = new vscode.MarkdownString(renderLineHover({
      line: count.tally,
      report: count.source.report,
      source: count.source.label,
      makes: make?.kind,
      others: count.all.filter((e) => e.source !== count.source).map((e) => ({ line: e.tally, report: e.source.report })),
      mapWrites: writes,
      revealCommand: REVEAL_COMMAND,
    }));
    // Only the reveal command may run from the hover's links.
    markdown.isTrusted = { enabledCommands: [REVEAL_COMMAND] };
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }
}
