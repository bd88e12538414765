/**
 * Build errors of "count mallocs" as Problems entries at their lines (a DiagnosticCollection), with
 * a one-line notification pointing there: a toast alone cuts the compiler's message short and
 * loses where it is. Entries of a file go when it is edited, all of them at the next count.
 */
import * as vscode from 'vscode';
import { parseBuildErrors, problemsSummary } from '../core/buildErrors';
import type { BuildError } from '../dap/goToolchain';

const SHOW = 'Show Problems';

export class BuildProblems implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('malloclens');
  private readonly edits = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.contentChanges.length > 0) this.diagnostics.delete(e.document.uri);
  });

  clear(): void {
    this.diagnostics.clear();
  }

  /** Files the errors; false when the output named no place (the caller says it some other way). */
  show(error: BuildError, what: string): boolean {
    const problems = parseBuildErrors(error.stderr, error.dir);
    if (problems.length === 0) return false;
    const byFile = new Map<string, vscode.Diagnostic[]>();
    for (const p of problems) {
      const at = new vscode.Position(p.line - 1, Math.max(0, (p.column ?? 1) - 1));
      const d = new vscode.Diagnostic(new vscode.Range(at, at.translate(0, 1)), p.message, vscode.DiagnosticSeverity.Error);
      d.source = 'malloclens (go build)';
      byFile.set(p.file, [...(byFile.get(p.file) ?? []), d]);
    }
    for (const [file, list] of byFile) this.diagnostics.set(vscode.Uri.file(file), list);
    void vscode.window.showErrorMessage(`malloclens: cannot build ${what}: ${problemsSummary(problems)}`, SHOW).then((choice) => {
      if (choice === SHOW) void vscode.commands.executeCommand('workbench.actions.view.problems');
    });
    return true;
  }

  dispose(): void {
    this.edits.dispose();
    this.diagnostics.dispose();
  }
}
