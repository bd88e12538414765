/**
 * "malloclens: Count Mallocs of This Statement" (editor context menu and palette): any statement,
 * not only make(...) calls. The statement at the cursor is found with tree-sitter (goSource), and
 * counted in line scope like `malloclens count --line FILE:LINE`; on a `func` line, one call.
 */
import * as vscode from 'vscode';
import { loadGoParser } from '../core/goSource';
import { COUNT_MALLOCS, COUNT_STATEMENT_COMMAND, ONE_CALL } from '../core/countLenses';

export const COUNT_AT_CURSOR_COMMAND = 'malloclens.countStatementAtCursor';

export async function countStatementAtCursor(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'go' || editor.document.uri.scheme !== 'file') {
    void vscode.window.showInformationMessage('malloclens: put the cursor on a statement in a Go file to count its heap allocations.');
    return;
  }
  const document = editor.document;
  const line = editor.selection.active.line + 1;
  const parser = await loadGoParser();
  const text = document.getText();
  const fn = parser.functions(text).find((f) => f.line === line);
  const span = fn ?? parser.statementAt(text, line);
  if (!span) {
    const broken = parser.syntaxErrors(text).some((e) => e.line === line);
    void vscode.window.showWarningMessage(`malloclens: no statement to count on line ${line}${broken ? ' (it does not parse)' : ''}; put the cursor inside a function's body.`);
    return;
  }
  const first = document.lineAt(span.line - 1).text.trim();
  const what = fn ? `${fn.name}()` : first.length > 40 ? `${first.slice(0, 39)}…` : first;
  // The language server counts (src/lsp), as a lens click does.
  await vscode.commands.executeCommand(COUNT_STATEMENT_COMMAND, document.uri.toString(), span.line, span.endLine, what, fn ? ONE_CALL : COUNT_MALLOCS);
}
