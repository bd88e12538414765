/**
 * workspace/executeCommand: `malloclens.countStatement` (uri, line, endLine, what?, action?, test?)
 * counts a statement's first execution, or one call on a `func` line (breakpoint engine, line
 * scope); with `test` ({name, kind}, a lens above a benchmark or test function) it runs that one
 * through go test's own selection instead, as `count --bench`/`--run` do: a benchmark's timed runs
 * per op (scope `op`, `-test.bench=^Name$`, `malloclens.benchtime`), a test's whole run; and
 * `malloclens.countRun` (uri) counts a whole run of the file's program or package tests (the fast
 * engine unless the settings say otherwise). One count per file at a time; progress as LSP work
 * done progress (cancellable), build errors as diagnostics, the rest as messages. Both resolve to
 * the report, or null when nothing was counted (the message said why).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Connection, MessageType, ShowMessageNotification, ShowMessageRequest, ShowMessageRequestParams, WorkDoneProgressServerReporter } from 'vscode-languageserver/node';
import { formatAmount, formatScopedAmount } from '../core/amountText';
import { problemsSummary } from '../core/buildErrors';
import { chooseEngine } from '../core/engineChoice';
import { benchmarkLensView } from '../core/benchmarkView';
import { countLabel, ONE_CALL, statementSourceId, TestTarget } from '../core/countLenses';
import { loadGoParser } from '../core/goSource';
import { runsAsTest } from '../core/goPackage';
import type { MallocReport } from '../core/report';
import { describeBuild } from '../core/reportText';
import { exactly, isBenchtime, testBinaryFlags } from '../core/testFlags';
import { PINNED_DELVE } from '../core/versions';
import { AnatomyInspector } from '../dap/allocationInspector';
import { countAllocations, CountRunOptions } from '../dap/countRun';
import { DelveNotFoundError, installPinnedDelve } from '../dap/delveLocator';
import { BuildError, inModule } from '../dap/goToolchain';
import { ToolMissingError } from '../dap/processes';
import { predictionFor } from '../dap/statementPrediction';
import { BuildDiagnostics } from './buildDiagnostics';
import type { CountSources } from './countSources';
import { filePath, GoDocuments } from './documents';
import { CLIENT_COMMAND_NOTIFICATION, MalloclensInitOptions, REPORT_NOTIFICATION, SourceMessage } from './protocol';
import { CountSettings, countSettings } from './settings';

export interface ServerContext {
  connection: Connection;
  documents: GoDocuments;
  sources: CountSources;
  init: MalloclensInitOptions;
  canAskConfiguration: boolean;
  canShowProgress: boolean;
  /** Lenses (and inlay hints) changed: ask the client to ask again. */
  refresh: () => void;
}

interface Running {
  line?: number;
  where: string;
  controller: AbortController;
  done: Promise<unknown>;
}

/** What one count runs: a statement (or one call) to a line, a benchmark or test by name, or (no line) a whole run. */
interface Target {
  line?: number;
  endLine?: number;
  where: string;
  what?: string;
  action?: string;
  test?: TestTarget;
}

type Outcome = { report: MallocReport } | { error: unknown; settings: CountSettings; test: boolean } | undefined;

const INSTALL = 'Install Delve';
const SET_PATH = 'Set Delve Path';
const SHOW_PROBLEMS = 'Show Problems';

export class CountCommands {
  /** By file: the count running there. */
  private readonly running = new Map<string, Running>();
  private readonly diagnostics: BuildDiagnostics;

  constructor(private readonly ctx: ServerContext) {
    this.diagnostics = new BuildDiagnostics(ctx.connection);
    ctx.documents.documents.onDidChangeContent((e) => this.diagnostics.clear(e.document.uri));
  }

  isCounting(file: string, line: number): boolean {
    return this.running.get(file)?.line === line;
  }

  async countStatement(uri: string, line: number, endLine?: number, what?: string, action?: string, test?: unknown): Promise<MallocReport | null> {
    const file = this.fileOf(uri);
    const byName = testTarget(test);
    if (!Number.isInteger(line) || line < 1) throw new Error(`malloclens.countStatement: line must be a positive whole number, got ${JSON.stringify(line)}`);
    if (endLine !== undefined && endLine !== null && (!Number.isInteger(endLine) || endLine < line)) {
      throw new Error(`malloclens.countStatement: endLine must be a whole number no less than line ${line}, got ${JSON.stringify(endLine)}`);
    }
    let end = endLine ?? undefined;
    if (end === undefined) {
      // A client that knows only a line (a cursor): the statement there, or the function on its `func` line.
      const text = this.ctx.documents.get(uri)?.getText() ?? '';
      const parser = await loadGoParser();
      const span = parser.functions(text).find((f) => f.line === line) ?? parser.statementAt(text, line);
      if (!span) {
        void this.ctx.connection.window.showWarningMessage(`malloclens: no statement to count on line ${line}; put the cursor inside a function's body.`);
        return null;
      }
      end = span.endLine;
    }
    const where = `${path.basename(file)}:${line}`;
    return this.withRetry(() => this.countOnce(uri, file, { line, endLine: end!, where, what, action, test: byName }));
  }

  async countRun(uri: string): Promise<MallocReport | null> {
    const file = this.fileOf(uri);
    return this.withRetry(() => this.countOnce(uri, file, { where: path.basename(path.dirname(file)) }));
  }

  /** Ends every count (the client is going): their Delves and debuggees stop with them. */
  async abortAll(): Promise<void> {
    const all = [...this.running.values()];
    for (const r of all) r.controller.abort();
    await Promise.allSettled(all.map((r) => r.done));
  }

  private fileOf(uri: string): string {
    const file = typeof uri === 'string' ? filePath(uri) : undefined;
    if (!file) throw new Error(`malloclens: can only count files on disk (file: URIs), not ${JSON.stringify(uri)}`);
    return file;
  }

  /** Counts, and after a failure the user can fix from here (install Delve), counts again. */
  private async withRetry(once: () => Promise<Outcome>): Promise<MallocReport | null> {
    for (;;) {
      const outcome = await once();
      if (!outcome) return null;
      if ('report' in outcome) return outcome.report;
      // Explained outside the counting window: the lens must not spin while the question waits.
      if (!(await this.explain(outcome.error, outcome.settings, outcome.test))) return null;
    }
  }

  private async countOnce(uri: string, file: string, target: Target): Promise<Outcome> {
    const busy = this.running.get(file);
    if (busy) {
      void this.ctx.connection.window.showInformationMessage(`malloclens: already counting ${busy.where}; one count per file at a time.`);
      return undefined;
    }
    const controller = new AbortController();
    let finish!: () => void;
    const running: Running = { line: target.line, where: target.where, controller, done: new Promise<void>((r) => (finish = r)) };
    this.running.set(file, running);
    this.ctx.refresh();
    let settings: CountSettings | undefined;
    let test = false;
    let progress: WorkDoneProgressServerReporter | undefined;
    try {
      progress = await this.progress(`malloclens: counting ${target.where}`, controller);
      settings = await countSettings(this.ctx.connection, this.ctx.canAskConfiguration, uri);
      const text = this.ctx.documents.get(uri)?.getText() ?? readFileSync(file, 'utf8');
      test = target.test !== undefined || runsAsTest(file, text);
      const dir = path.dirname(file);
      this.diagnostics.clear();
      // Outside a module a directory does not build; the file does, as `dlv debug file.go` builds it.
      const buildTarget = test || (await inModule(dir, settings.env)) ? dir : file;
      const lineScope = target.line !== undefined && target.test === undefined;
      const named = target.test;
      if (named?.kind === 'benchmark' && settings.benchtime !== undefined && !isBenchtime(settings.benchtime)) {
        throw new Error(`malloclens.benchtime wants Nx (a number of iterations, such as 100x) or a duration (such as 1s), got ${JSON.stringify(settings.benchtime)}`);
      }
      progress?.report(named ? `building the package tests and running ${named.name}…` : test ? 'building and running the package tests…' : 'building and running the program…');
      const options: CountRunOptions = {
        target: buildTarget, test, optimized: settings.optimizedBuilds,
        // As `count --bench ^Name$ --benchtime T` and `count --run ^Name$` run them.
        programArgs: named ? testBinaryFlags(named.kind === 'benchmark' ? { bench: exactly(named.name), benchtime: settings.benchtime } : { run: exactly(named.name) }) : [],
        benchmarks: named?.kind === 'benchmark',
        line: lineScope ? { file, line: target.line!, endLine: target.endLine! } : undefined,
        fast: chooseEngine(lineScope ? undefined : settings.engine, lineScope) === 'fast',
        inspector: lineScope ? new AnatomyInspector() : undefined,
        cwd: dir, env: settings.env, dlvPath: settings.dlvPath, installDelve: false, stdio: 'pipe',
        notify: (message) => progress?.report(message.replace(/^malloclens: /, '')),
        log: (line) => this.ctx.connection.tracer.log(line),
        signal: controller.signal,
        // Whole stacks, so that the editor can export the count as a pprof profile.
        stacks: true,
      };
      const counted = await countAllocations(options);
      const report = named?.kind === 'benchmark' ? benchmarkLensView(counted, named.name) : counted;
      if (lineScope && report.statement?.reached && !controller.signal.aborted) {
        progress?.report('asking the compiler what escapes…');
        try {
          report.prediction = await predictionFor(report, { target: buildTarget, test, optimized: settings.optimizedBuilds, env: settings.env });
        } catch (e) {
          report.warnings.push(`No escape analysis: ${(e as Error).message}`);
        }
      }
      if (controller.signal.aborted) {
        void this.ctx.connection.window.showInformationMessage(`malloclens: counting ${target.where} was cancelled.`);
        return undefined;
      }
      this.file(file, target, report, test);
      return { report };
    } catch (error) {
      if (controller.signal.aborted) return undefined;
      this.ctx.connection.console.error(`counting ${target.where}: ${(error as Error).message}`);
      return { error, settings: settings ?? { optimizedBuilds: false, engine: 'fast', env: process.env }, test };
    } finally {
      progress?.done();
      this.running.delete(file);
      finish();
      this.ctx.refresh();
    }
  }

  private async progress(title: string, controller: AbortController): Promise<WorkDoneProgressServerReporter | undefined> {
    if (!this.ctx.canShowProgress) return undefined;
    const reporter = await this.ctx.connection.window.createWorkDoneProgress();
    reporter.begin(title, undefined, undefined, true);
    reporter.token.onCancellationRequested(() => controller.abort());
    return reporter;
  }

  private file(file: string, target: Target, report: MallocReport, test: boolean): void {
    const { where } = target;
    // A benchmark's or test's count belongs to its lens, as a statement's does.
    const atLine = target.line !== undefined;
    const source: Omit<SourceMessage, 'started'> = atLine
      ? {
        id: statementSourceId(file, target.line!), label: countLabel(where, target), kind: 'statement', report, live: false, statement: { file, line: target.line!, endLine: target.endLine! },
        ...(report.engine ? { engine: report.engine } : {}),
      }
      : { id: `run:${path.dirname(file)}`, label: `malloclens run · ${where}`, kind: 'debug', report, live: false, engine: report.engine };
    const filed = this.ctx.sources.add(source);
    void this.ctx.connection.sendNotification(REPORT_NOTIFICATION, filed);
    for (const w of report.warnings) this.ctx.connection.console.warn(`${where}: ${w}`);
    const window = this.ctx.connection.window;
    if (report.statement && !report.statement.reached) {
      void window.showWarningMessage(`malloclens: ${where} was not reached by ${test ? "the package's tests" : 'the program'}; nothing was counted.`);
    } else if (report.program?.error) {
      void window.showWarningMessage(`malloclens: the program failed${report.scope === 'line' ? ` after ${where}` : ''} (${report.program.error}); the count stands.`);
    }
    const counted = report.scope === 'op' ? formatScopedAmount(report.total, 'op')
      : report.scope === 'line' ? `${formatAmount(report.total)} ${target.action === ONE_CALL ? 'in the first call' : "in the statement's first execution"}`
        : `${formatAmount(report.total)} in the run${target.test ? ` of ${target.test.name}` : ''}`;
    this.ctx.connection.console.info(`${where}: ${counted} (${describeBuild(report)})`);
  }

  /** Tells the user what went wrong in words they can act on; true when they installed Delve (count again). */
  private async explain(e: unknown, settings: CountSettings, test: boolean): Promise<boolean> {
    const { connection, init } = this.ctx;
    if (e instanceof BuildError) {
      const problems = this.diagnostics.show(e.stderr, e.dir);
      if (problems.length === 0) {
        void connection.window.showErrorMessage(`malloclens: ${e.message}`);
        return false;
      }
      const what = test ? "the package's tests" : 'the program';
      void this.ask(MessageType.Error, `malloclens: cannot build ${what}: ${problemsSummary(problems)}`, init.clientCommands ? [SHOW_PROBLEMS] : []).then((choice) => {
        if (choice === SHOW_PROBLEMS) this.clientCommand('workbench.actions.view.problems');
      });
      return false;
    }
    if (e instanceof DelveNotFoundError) {
      const choice = await this.ask(MessageType.Error, `malloclens: ${e.message}`, init.clientCommands ? [INSTALL, SET_PATH] : [INSTALL]);
      if (choice === SET_PATH) this.clientCommand('workbench.action.openSettings', ['malloclens.dlvPath']);
      return choice === INSTALL && this.installDelve(settings.env);
    }
    if (e instanceof ToolMissingError) {
      void connection.window.showErrorMessage('malloclens: Go is not installed or not on PATH (https://go.dev/dl/); counting builds the program with it.');
      return false;
    }
    void connection.window.showErrorMessage(`malloclens: ${e instanceof Error ? e.message : String(e)}`);
    return false;
  }

  private async installDelve(env: NodeJS.ProcessEnv): Promise<boolean> {
    const progress = await this.progress(`malloclens: installing Delve ${PINNED_DELVE.version}`, new AbortController());
    try {
      const dlv = await installPinnedDelve(env, (m) => progress?.report(m.replace(/^malloclens: /, '')));
      void this.ctx.connection.window.showInformationMessage(`malloclens: Delve ${PINNED_DELVE.version} installed at ${dlv}.`);
      return true;
    } catch (e) {
      void this.ctx.connection.window.showErrorMessage(`malloclens: ${e instanceof ToolMissingError ? 'Go is not installed or not on PATH; Delve is installed with it.' : (e as Error).message}`);
      return false;
    } finally {
      progress?.done();
    }
  }

  /** A message with choices; without any, a plain message (a request would wait on the user for nothing). */
  private async ask(type: MessageType, message: string, actions: string[]): Promise<string | undefined> {
    if (actions.length === 0) {
      void this.ctx.connection.sendNotification(ShowMessageNotification.type, { type, message });
      return undefined;
    }
    const params: ShowMessageRequestParams = { type, message, actions: actions.map((title) => ({ title })) };
    const choice = await this.ctx.connection.sendRequest(ShowMessageRequest.type, params).catch(() => null);
    return choice?.title;
  }

  private clientCommand(command: string, args?: unknown[]): void {
    void this.ctx.connection.sendNotification(CLIENT_COMMAND_NOTIFICATION, { command, args });
  }
}

/** The `test` argument of malloclens.countStatement: absent, or a benchmark or test by name. */
function testTarget(value: unknown): TestTarget | undefined {
  if (value === undefined || value === null) return undefined;
  const { name, kind } = value as Partial<TestTarget>;
  if (typeof value === 'object' && typeof name === 'string' && /^(Benchmark|Test)/.test(name) && (kind === 'benchmark' || kind === 'test')) return { name, kind };
  throw new Error(`malloclens.countStatement: test must be {name: "BenchmarkX" | "TestX", kind: "benchmark" | "test"}, got ${JSON.stringify(value)}`);
}
