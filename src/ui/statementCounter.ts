/**
 * "count mallocs" and "count allocs/op": builds the program (or the package's tests) that contains a statement, runs it
 * under Delve to the statement, counts that statement's first execution (line scope) and files the
 * report in the store, where the lens, the inline count, the tree and the hover pick it up. Above a
 * benchmark or a test function, it runs that one through go test's own selection instead: a test's
 * whole run, or a benchmark's timed runs per op (benchmarkView.ts).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { formatAmount, formatScopedAmount } from '../core/amountText';
import { benchmarkNamed, benchmarkView } from '../core/benchmarkView';
import { chooseEngine } from '../core/engineChoice';
import { exactly, testBinaryFlags } from '../core/testFlags';
import { runsAsTest } from '../core/goPackage';
import type { MallocReport } from '../core/report';
import { describeBuild } from '../core/reportText';
import { countAllocations, CountRunOptions } from '../dap/countRun';
import { BuildError, inModule } from '../dap/goToolchain';
import { predictionFor } from '../dap/statementPrediction';
import { BuildProblems } from './buildProblems';
import { explainCountFailure } from './delveSetup';
import { allocationInspector } from './engineLink';
import { engineEnv, readSettings } from './settings';
import { statementSourceId, TallyStore } from './tallyStore';

export interface StatementTarget {
  uri: vscode.Uri;
  line: number;
  endLine: number;
  /** What is counted, for the tree: `make([]int, 3)`, `label()` (one call of a function). */
  what?: string;
  /** `count mallocs` (a statement), `count one call` (a function), `count allocs/op` (a benchmark), for the tree. */
  action?: string;
  /** A benchmark or test function, counted as go test runs it by name. */
  test?: TestTarget;
}

export interface TestTarget {
  name: string;
  kind: 'benchmark' | 'test';
}

/**
 * `main.go:17 · make(map[string]int)`, `main.go:10 · label() · one call`: short, since the tree
 * cuts long labels and the amount and state come after it (the icon says it is a count).
 */
function sourceLabel(where: string, target: StatementTarget): string {
  if (target.test) return `${where} · ${target.test.name}${target.test.kind === 'benchmark' ? ' · per op' : ''}`;
  const one = target.action === 'count one call' ? ' · one call' : '';
  return target.what ? `${where} · ${target.what}${one}` : `${where}${one}`;
}

export class StatementCounter implements vscode.Disposable {
  private readonly running = new Set<string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  private readonly problems = new BuildProblems();

  constructor(private readonly store: TallyStore, private readonly log: vscode.LogOutputChannel) {}

  isCounting(file: string, line: number): boolean {
    return this.running.has(statementSourceId(file, line));
  }

  /** Counts, and after a failure the user can fix from here (install Delve), counts again. */
  async count(target: StatementTarget): Promise<MallocReport | undefined> {
    for (;;) {
      const outcome = await this.countOnce(target);
      if (!outcome || 'report' in outcome) return outcome?.report;
      if (outcome.error instanceof BuildError && this.problems.show(outcome.error, outcome.test ? "the package's tests" : 'the program')) return undefined;
      // Explained outside the counting window: the lens must not spin while the message waits.
      if (!(await explainCountFailure(outcome.error, outcome.env))) return undefined;
    }
  }

  private async countOnce(target: StatementTarget): Promise<{ report: MallocReport } | { error: unknown; env: NodeJS.ProcessEnv; test?: boolean } | undefined> {
    const file = target.uri.fsPath;
    const id = statementSourceId(file, target.line);
    if (this.running.has(id)) return undefined;
    this.running.add(id);
    this.changed.fire();
    const settings = readSettings(target.uri);
    const env = engineEnv(settings, target.uri);
    const where = `${path.basename(file)}:${target.line}`;
    const controller = new AbortController();
    let test = false;
    try {
      const document = await vscode.workspace.openTextDocument(target.uri);
      if (document.isDirty) await document.save();
      test = runsAsTest(file, document.getText());
      const asTest = test;
      const dir = path.dirname(file);
      this.problems.clear();
      // Outside a module a directory does not build; the file does, as `dlv debug file.go` builds it.
      const buildTarget = test || (await inModule(dir, env)) ? dir : file;
      const report = await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: `malloclens: counting ${where}`, cancellable: true },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          if (target.test) {
            progress.report({ message: `building the package tests and running ${target.test.name}…` });
            return this.countTest(target.test, settings.benchtime, {
              target: dir, test: true, optimized: settings.optimizedBuilds, programArgs: [],
              fast: chooseEngine(settings.engine, false) === 'fast',
              cwd: dir, env, dlvPath: settings.dlvPath, installDelve: false, stdio: 'pipe',
              notify: (message) => progress.report({ message }),
              log: (line) => this.log.trace(line),
              signal: controller.signal,
            });
          }
          progress.report({ message: asTest ? 'building and running the package tests…' : 'building and running the program…' });
          return this.countAndPredict(progress, {
            target: buildTarget, test: asTest, optimized: settings.optimizedBuilds, programArgs: [],
            line: { file, line: target.line, endLine: target.endLine },
            inspector: allocationInspector(),
            cwd: dir, env, dlvPath: settings.dlvPath, installDelve: false, stdio: 'pipe',
            notify: (message) => progress.report({ message }),
            log: (line) => this.log.trace(line),
            signal: controller.signal,
            stacks: true,
          });
        },
      );
      if (controller.signal.aborted) {
        void vscode.window.showInformationMessage(`malloclens: counting ${where} was cancelled.`);
        return undefined;
      }
      this.file(id, target, report, test);
      return { report };
    } catch (error) {
      if (controller.signal.aborted) return undefined;
      this.log.error(`counting ${where}: ${(error as Error).message}`);
      return { error, env, test };
    } finally {
      this.running.delete(id);
      this.changed.fire();
    }
  }

  /**
   * One test's whole run (`-test.run=^TestX$`), or one benchmark's timed runs per op
   * (`-test.bench=^BenchmarkX$`, no tests), as the editor shows them.
   */
  private async countTest(test: TestTarget, benchtime: string | undefined, options: CountRunOptions): Promise<MallocReport> {
    const selection = test.kind === 'benchmark' ? { bench: exactly(test.name), benchtime } : { run: exactly(test.name) };
    const report = await countAllocations({ ...options, programArgs: testBinaryFlags(selection), benchmarks: test.kind === 'benchmark' });
    if (test.kind !== 'benchmark') return report;
    const benchmark = benchmarkNamed(report, test.name);
    if (!benchmark) {
      report.warnings.push(`${test.name} did not run${report.program?.error ? ` (${report.program.error})` : ''}; nothing was timed.`);
      return report;
    }
    const others = (report.benchmarks ?? []).filter((b) => b !== benchmark).map((b) => b.name);
    if (benchmark.name !== test.name) report.warnings.push(`${test.name} runs sub-benchmarks, which testing reports instead of it: showing ${benchmark.name}${others.length > 0 ? ` (also ran: ${others.join(', ')}; malloclens count --bench shows each)` : ''}.`);
    return benchmarkView(report, benchmark);
  }

  /** The count, then the compiler's escape analysis of the same build beside it (as `count --line` does). */
  private async countAndPredict(progress: vscode.Progress<{ message?: string }>, options: CountRunOptions): Promise<MallocReport> {
    const report = await countAllocations(options);
    const statement = report.statement;
    if (!statement?.reached || options.signal?.aborted) return report;
    progress.report({ message: 'asking the compiler what escapes…' });
    try {
      report.prediction = await predictionFor(report, { target: options.target, test: options.test, optimized: options.optimized, env: options.env });
    } catch (e) {
      report.warnings.push(`No escape analysis: ${(e as Error).message}`);
    }
    return report;
  }

  private file(id: string, target: StatementTarget, report: MallocReport, test: boolean): void {
    const file = target.uri.fsPath;
    const where = `${path.basename(file)}:${target.line}`;
    this.store.remove(id);
    this.store.add({
      id, label: sourceLabel(where, target), kind: 'statement', report, live: false, statement: { file, line: target.line, endLine: target.endLine },
      ...(report.engine ? { engine: report.engine } : {}),
    });
    for (const w of report.warnings) this.log.warn(`${where}: ${w}`);
    if (report.statement && !report.statement.reached) {
      void vscode.window.showWarningMessage(`malloclens: ${where} was not reached by ${test ? "the package's tests" : 'the program'}; nothing was counted.`);
    } else if (report.program?.error) {
      void vscode.window.showWarningMessage(`malloclens: the program failed after ${where} (${report.program.error}); the count stands.`);
    }
    const counted = report.scope === 'line' ? `${formatAmount(report.total)} in the statement's first execution` : formatScopedAmount(report.total, report.scope);
    this.log.info(`${where}: ${counted} (${describeBuild(report)})`);
  }

  dispose(): void {
    this.problems.dispose();
    this.changed.dispose();
  }
}
