/** The hover of a counted line: count, bytes, call paths, and a make(map…)'s anatomy (core/lineHover.ts). */
import * as vscode from 'vscode';
import { lineCountAt } from '../core/inlineCounts';
import { renderLineHover } from '../core/lineHover';
import type { GoDocuments } from './goDocuments';
import type { TallyStore } from './tallyStore';

export class LineHoverProvider implements vscode.HoverProvider {
  constructor(private readonly documents: GoDocuments, private readonly store: TallyStore) {}

  async provideHover(document: vscode.TextDocument, position: vscode.Position): Promise<vscode.Hover | undefined> {
    if (document.uri.scheme !== 'file') return undefined;
    const line = position.line + 1;
    const count = lineCountAt(this.store.list(), document.uri.fsPath, line);
    if (!count) return undefined;
    const calls = await this.documents.makeCalls(document);
    const make = calls.find((c) => line >= c.line && line <= c.endLine) ?? calls.find((c) => line === c.statement.line);
    const markdown = new vscode.MarkdownString(renderLineHover({ line: count.tally, report: count.source.report, source: count.source.label, makes: make?.kind }));
    return new vscode.Hover(markdown, document.lineAt(position.line).range);
  }
}
