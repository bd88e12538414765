/** textDocument/codeLens: the core's lenses (core/countLenses.ts) as LSP code lenses. */
import type { CodeLens } from 'vscode-languageserver/node';
import { COUNT_STATEMENT_COMMAND, countLenses, statementSourceId } from '../core/countLenses';
import type { CountSources } from './countSources';
import type { CountCommands } from './countCommands';
import { filePath, GoDocuments, lineText } from './documents';

export async function codeLensesOf(uri: string, documents: GoDocuments, sources: CountSources, counts: CountCommands, spinner?: string): Promise<CodeLens[]> {
  const document = documents.get(uri);
  const file = filePath(uri);
  if (!document || !file) return [];
  const outline = await documents.outline(document);
  return countLenses({
    outline,
    lineText: (line) => lineText(document, line),
    result: (line) => sources.get(statementSourceId(file, line))?.report,
    counting: (line) => counts.isCounting(file, line),
    spinner,
  }).map((lens) => {
    const at = { line: lens.line - 1, character: lens.column - 1 };
    const t = lens.target;
    return {
      range: { start: at, end: at },
      command: t
        ? { title: lens.title, command: COUNT_STATEMENT_COMMAND, arguments: [uri, t.line, t.endLine, t.what, t.action, ...(t.test ? [t.test] : [])] }
        : { title: lens.title, command: '' },
      // LSP 3.17 commands have no tooltip: clients that show one (VS Code) take it from here.
      data: { tooltip: lens.tooltip },
    };
  });
}
