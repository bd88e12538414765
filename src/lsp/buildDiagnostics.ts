/**
 * Build errors of a count as diagnostics at their lines (core/buildErrors.ts parses the compiler's
 * output): a message alone cuts it short and loses where it is. A file's entries go when it is
 * edited, all of them at the next count.
 */
import { pathToFileURL } from 'node:url';
import { Connection, Diagnostic, DiagnosticSeverity } from 'vscode-languageserver/node';
import { BuildProblem, parseBuildErrors } from '../core/buildErrors';

export const BUILD_SOURCE = 'malloclens (go build)';

export class BuildDiagnostics {
  private readonly published = new Set<string>();

  constructor(private readonly connection: Connection) {}

  /** Publishes the errors; returns them (none: the output named no place). */
  show(stderr: string, dir: string): BuildProblem[] {
    const problems = parseBuildErrors(stderr, dir);
    const byUri = new Map<string, Diagnostic[]>();
    for (const p of problems) {
      const at = { line: p.line - 1, character: Math.max(0, (p.column ?? 1) - 1) };
      const uri = pathToFileURL(p.file).toString();
      byUri.set(uri, [...(byUri.get(uri) ?? []), { range: { start: at, end: { line: at.line, character: at.character + 1 } }, message: p.message, severity: DiagnosticSeverity.Error, source: BUILD_SOURCE }]);
    }
    for (const [uri, diagnostics] of byUri) {
      this.published.add(uri);
      void this.connection.sendDiagnostics({ uri, diagnostics });
    }
    return problems;
  }

  clear(uri?: string): void {
    for (const u of uri ? [uri] : [...this.published]) {
      if (!this.published.delete(u)) continue;
      void this.connection.sendDiagnostics({ uri: u, diagnostics: [] });
    }
  }
}
