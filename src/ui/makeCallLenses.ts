/**
 * The lenses: "count mallocs" above each statement with a make(...) call (found by tree-sitter, so
 * multi-line calls are one call and `make(` in strings and comments is none), "count one call"
 * above each function, and, where a `make(` does not parse, a lens that says why there is nothing
 * to count instead of vanishing. After a count the lens carries the result with its scope; the
 * per-line numbers themselves are decorations (inlineDecorations.ts).
 */
import * as vscode from 'vscode';
import { formatScopedAmount } from '../core/amountText';
import type { MakeCall, TestFunction } from '../core/goSource';
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

interface Countable {
  line: number;
  endLine: number;
  /** The lens's own words: `count mallocs`, `count one call`. */
  action: string;
  /** What runs, for the tooltip and the tree: `make([]int, 3)`, `label()`, `BenchmarkX`. */
  what: string;
  /** A benchmark or test function: it runs through go test's own selection, as a whole run. */
  test?: TestFunction;
}

/** The lens above `func BenchmarkX(b *testing.B)`. */
const COUNT_PER_OP = 'count allocs/op';
/** The lens above `func TestX(t *testing.T)`. */
const COUNT_TEST = 'count mallocs';

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
    const outline = await this.documents.outline(document);
    const broken = new Map(outline.syntaxErrors.map((e) => [e.line, e]));
    const file = document.uri.fsPath;
    const lenses: vscode.CodeLens[] = [];
    const at = (line: number, column = 1) => {
      const p = new vscode.Position(line - 1, column - 1);
      return new vscode.Range(p, p);
    };
    const tests = new Map(outline.testFunctions.map((t) => [t.line, t]));
    for (const f of outline.functions) {
      const test = tests.get(f.line);
      if (test) {
        const action = test.kind === 'benchmark' ? COUNT_PER_OP : COUNT_TEST;
        lenses.push(new vscode.CodeLens(at(f.line), this.command(document.uri, file, { line: f.line, endLine: f.endLine, action, what: test.name, test })));
        continue;
      }
      lenses.push(new vscode.CodeLens(at(f.line), this.command(document.uri, file, { line: f.line, endLine: f.endLine, action: 'count one call', what: `${f.name}()` })));
    }
    const withLens = new Set<number>();
    for (const call of statementsWithMake(outline.makeCalls)) {
      const error = [...broken.values()].find((e) => e.line >= call.statement.line && e.line <= call.statement.endLine);
      withLens.add(call.line);
      lenses.push(new vscode.CodeLens(at(call.line, call.column), error
        ? unparsable(error.line)
        : !call.inFunction
          ? packageLevel()
          : this.command(document.uri, file, { ...call.statement, action: 'count mallocs', what: call.text })));
    }
    // A `make(` the parser could not read as a call would have no lens at all: say why instead.
    for (const error of broken.values()) {
      if (withLens.has(error.line) || error.line > document.lineCount) continue;
      const text = document.lineAt(error.line - 1).text;
      const column = text.search(/\bmake\s*\(/);
      if (column >= 0) lenses.push(new vscode.CodeLens(at(error.line, column + 1), unparsable(error.line)));
    }
    return lenses;
  }

  private command(uri: vscode.Uri, file: string, target: Countable): vscode.Command {
    const test = target.test && { name: target.test.name, kind: target.test.kind };
    const args = [uri, target.line, target.endLine, target.what, target.action, ...(test ? [test] : [])];
    if (this.counter.isCounting(file, target.line)) {
      return { title: `$(loading~spin) ${target.action}: counting…`, command: '', tooltip: test ? `malloclens is running ${test.name}` : 'malloclens is running the program to this statement' };
    }
    if (test) return this.testCommand(file, target, test, args);
    const result = this.store.get(statementSourceId(file, target.line));
    const tooltip = target.action === 'count one call'
      ? `Run the program to ${target.what} under Delve and count the heap allocations of its first call, callees included, until it returns`
      : `Run to this statement under Delve and count the heap allocations of its first execution (${target.what})`;
    if (!result) return { title: target.action, command: COUNT_STATEMENT_COMMAND, arguments: args, tooltip };
    const { report } = result;
    const outcome = report.statement && !report.statement.reached ? 'not reached' : formatScopedAmount(report.total, 'line');
    return {
      title: `${target.action} · ${outcome}`,
      command: COUNT_STATEMENT_COMMAND,
      arguments: args,
      tooltip: `First execution, counted by malloclens (${describeBuild(report)}). Click to count again.`,
    };
  }

  /** A benchmark's or a test's lens: before a count, what it will do; after, the result. */
  private testCommand(file: string, target: Countable, test: { name: string; kind: TestFunction['kind'] }, args: unknown[]): vscode.Command {
    const result = this.store.get(statementSourceId(file, target.line));
    const what = test.kind === 'benchmark'
      ? `Run ${test.name} (go test -bench) under Delve and count the heap allocations of its timed runs, per op and per line, as -benchmem measures them`
      : `Run ${test.name} alone (go test -run) under Delve and count every heap allocation of the run, per line`;
    if (!result) return { title: target.action, command: COUNT_STATEMENT_COMMAND, arguments: args, tooltip: what };
    const { report } = result;
    const ran = test.kind !== 'benchmark' || report.scope === 'op';
    return {
      title: `${target.action} · ${ran ? formatScopedAmount(report.total, report.scope) : 'did not run'}`,
      command: COUNT_STATEMENT_COMMAND,
      arguments: args,
      tooltip: `${what}. Counted by malloclens (${describeBuild(report)}). Click to count again.`,
    };
  }

  dispose(): void {
    for (const d of this.disposables) d.dispose();
  }
}

/** Package-level initializers run inside the runtime's package initialization, which a run charges to "package init". */
function packageLevel(): vscode.Command {
  return {
    title: 'count mallocs: unavailable — package-level, runs in package init',
    command: '',
    tooltip: 'A package-level variable is initialised before main by the runtime; a debug run under malloclens counts it under "package init" in the Allocations view.',
  };
}

function unparsable(line: number): vscode.Command {
  return {
    title: `count mallocs: unavailable — line ${line} does not parse`,
    command: '',
    tooltip: 'malloclens finds what to count with a Go parser, and this statement has a syntax error; fix it and the lens comes back.',
  };
}
