/** textDocument/hover: a counted line's count, escape analysis and anatomy (core/lineHoverFor.ts). */
import type { Hover, Position } from 'vscode-languageserver/node';
import { loadGoParser } from '../core/goSource';
import { lineHoverFor } from '../core/lineHoverFor';
import type { CountSources } from './countSources';
import { filePath, GoDocuments, lineText } from './documents';

export async function hoverAt(uri: string, position: Position, documents: GoDocuments, sources: CountSources, revealCommand?: string): Promise<Hover | null> {
  const document = documents.get(uri);
  const file = filePath(uri);
  if (!document || !file) return null;
  const line = position.line + 1;
  const markdown = lineHoverFor({
    sources: sources.list(), file, line, text: document.getText(),
    makeCalls: (await documents.outline(document)).makeCalls, parser: await loadGoParser(), revealCommand,
  });
  if (markdown === undefined) return null;
  const end = lineText(document, line)?.length ?? 0;
  return { contents: { kind: 'markdown', value: markdown }, range: { start: { line: position.line, character: 0 }, end: { line: position.line, character: end } } };
}
