/** textDocument/inlayHint: each counted line's count at its end, as the VS Code extension's inline counts read. */
import { InlayHint, Range } from 'vscode-languageserver/node';
import { lineCountsForFile } from '../core/inlineCounts';
import type { CountSources } from './countSources';
import { filePath, GoDocuments, lineText } from './documents';

export function inlayHintsIn(uri: string, range: Range, documents: GoDocuments, sources: CountSources): InlayHint[] {
  const document = documents.get(uri);
  const file = filePath(uri);
  if (!document || !file) return [];
  return lineCountsForFile(sources.list(), file)
    .filter((c) => c.line - 1 >= range.start.line && c.line - 1 <= range.end.line)
    .flatMap((c) => {
      const text = lineText(document, c.line);
      if (text === undefined) return [];
      return [{ position: { line: c.line - 1, character: text.length }, label: c.text, paddingLeft: true }];
    });
}
