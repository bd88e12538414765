/**
 * The "count mallocs" action above each statement with a make(...) call (found by tree-sitter, so
 * multi-line calls are one call and `make(` in strings and comments is none). After a count the
 * lens carries the result; the per-line numbers themselves are decorations (inlineDecorations.ts).
 */
import * as vscode from 'vscode';
import { formatScopedAmount } from '../core/amountText';
import type { MakeCall } from '../core/goSource';
import { describeBuild } from '../core/reportText';
import type { GoDocuments } from './goDocuments';
import { readSettings, SECTION } from './settings';
import type { StatementCounter } from './statementCounter';
import { statementSourceId, TallyStore } from './tallyStore';

export const COUNT_STATEMENT_COMMAND = 'malloclens.countStatement';

/** One lens per statement, at its first make(...) call. */
export function statementsWithMake(calls: MakeCall[]): MakeCall[] {
  const first = new Map<number, MakeCall>();
  for (const call of calls) if (!first.has(call.statement.line)) first.set(call.statement.line, call);
  return [...first.values()];
}

export class MakeCallLenses implements vscode.CodeLensProvider {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.changed.event;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly documents: GoDocuments, private readonly store: TallyStore, private readonly counter: StatementCounter) {
    this.disposables.push(
      this.changed,
      store.onDidChange(() => this.changed.fire()),
      counter.onDidChange(() => this.changed.fire()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.codeLens`)) this.changed.fire();
      }),
    );
  }

  async provideCodeLenses(document: vscode.TextDocument): Promise<vscode.CodeLens[]> {
    if (!readSettings(document.uri).codeLens || document.uri.scheme !== 'file') return [];
    const calls = statementsWithMake(await this.documents.makeCalls(document));
    const file = document.uri.fsPath;
    return calls.map((call) => {
      const at = new vscode.Position(call.line - 1, call.column - 1);
      return new vscode.CodeLens(new vscode.Range(at, at), this.command(document.uri, file, call));
    });
  }

  private command(uri: vscode.Uri, file: string, call: MakeCall): vscode.Command {
    const { line, endLine } = call.statement;
    const args = [uri, line, endLine];
    if (this.counter.isCounting(file, line)) {
      return { title: '$(loading~spin) counting mallocs…', command: '', tooltip: 'malloclens is running the program to this statement' };
    }
    const result = this.store.get(statementSourceId(file, line));
    if (!result) {
      return { title: 'count mallocs', command: COUNT_STATEMENT_COMMAND, arguments: args, tooltip: `Run to this statement under Delve and count its heap allocations (${call.text})` };
    }
    const { report } = result;
    const outcome = report.statement && !report.statement.reached ? 'not reached' : formatScopedAmount(report.total, 'line');
    return {
      title: `count mallocs · ${outcome}`,
      command: COUNT_STATEMENT_COMMAND,
      arguments: args,
      tooltip: `First execution of this statement, counted by malloclens (${describeBuild(report)}). Click to count again.`,
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}
