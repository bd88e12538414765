/** `malloclens count`: build, run under Delve through the counting proxy, print the per-line table. */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { renderStatementAnatomy } from '../core/anatomyText';
import { chooseEngine } from '../core/engineChoice';
import { loadGoParser } from '../core/goSource';
import { encodePprof } from '../core/pprofOut';
import { compareReports } from '../core/compare';
import { renderComparisonTable } from '../core/compareText';
import { MallocReport } from '../core/report';
import { parseReport, ReportFileError } from '../core/reportFile';
import { renderLinesTable } from '../core/reportText';
import { AnatomyInspector } from '../dap/allocationInspector';
import type { LineTarget } from '../dap/engine';
import { countAllocations } from '../dap/countRun';
import { CountArgs, testBinaryFlags, UsageError } from './args';
import { renderBenchmarkTables } from '../core/benchmarkText';
import { makeRows, renderMakeRows } from './makeRows';
import type { Progress } from './progress';
import { predictionFor } from '../dap/statementPrediction';

export interface CliIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Where a whole run's progress shows (a terminal's stderr), if anywhere. */
  progress?: Progress;
}

async function lineTarget(args: CountArgs, cwd: string): Promise<LineTarget | undefined> {
  if (!args.line) return undefined;
  const file = path.resolve(cwd, args.line.file);
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`--line: cannot read ${args.line.file}`);
  }
  const parser = await loadGoParser();
  // On a `func` line: one call of the function, from its entry until its frame returns.
  const statement = parser.functions(source).find((f) => f.line === args.line!.line) ?? parser.statementAt(source, args.line.line);
  if (!statement) {
    const inside = parser.functions(source).some((f) => args.line!.line >= f.line && args.line!.line <= f.endLine);
    // A package-level initializer runs in package init, which a whole run reports as such.
    const why = inside ? '' : ' (outside any function: a package-level initializer runs in package init; count the whole run)';
    throw new UsageError(`--line: no statement at ${args.line.file}:${args.line.line}${why}`);
  }
  return { file, line: args.line.line, endLine: statement.endLine };
}

/** The `--baseline` report, read before anything runs: a bad file must not cost a whole count. */
function readBaseline(args: CountArgs, cwd: string): MallocReport | undefined {
  if (args.baseline === undefined) return undefined;
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, args.baseline), 'utf8');
  } catch (e) {
    throw new Error(`--baseline: cannot read ${args.baseline} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  try {
    return parseReport(text, args.baseline);
  } catch (e) {
    if (e instanceof ReportFileError) throw new Error(`--baseline: ${e.message}`);
    throw e;
  }
}

/** Returns the process exit code. */
export async function runCount(args: CountArgs, io: CliIO): Promise<number> {
  const baseline = readBaseline(args, io.cwd);
  // Interrupted or told to stop: end the program and Delve, and report what was counted so far.
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.once(signal, onSignal);
  let report: MallocReport;
  try {
    report = await countAllocations({
      target: args.target,
      test: args.test,
      optimized: args.optimized,
      programArgs: [...testBinaryFlags(args), ...args.programArgs],
      benchmarks: args.bench !== undefined,
      line: await lineTarget(args, io.cwd),
      fast: chooseEngine(args.engine, args.line !== undefined) === 'fast',
      // One statement's allocations are few: each is worth a closer look (kind, type, elements).
      inspector: args.line ? new AnatomyInspector() : undefined,
      cwd: io.cwd,
      env: io.env,
      dlvPath: args.dlv,
      installDelve: true,
      // `--json` on stdout is for a parser: the program's own output must not be mixed into it.
      stdio: args.json && !args.output ? 'stdoutToStderr' : 'inherit',
      notify: (m) => io.stderr(m),
      onProgress: io.progress && ((counted) => io.progress!.update(counted)),
      log: io.env.MALLOCLENS_DEBUG ? (l) => io.stderr(`[malloclens] ${l}`) : undefined,
      signal: controller.signal,
      stacks: args.pprof !== undefined,
    });
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
    io.progress?.done();
  }
  if (args.line) {
    try {
      report.prediction = await predictionFor(report, { target: path.resolve(io.cwd, args.target), test: args.test, optimized: args.optimized, env: io.env });
    } catch (e) {
      report.warnings.push(`No escape analysis: ${(e as Error).message}`);
    }
  }

  if (args.pprof) {
    writeFileSync(path.resolve(io.cwd, args.pprof), encodePprof(report));
    // The stacks are the profile's; the JSON report stays the shape it always had.
    delete report.stacks;
  }

  const comparison = baseline && compareReports(report, baseline, args.baseline);
  let text: string;
  if (args.json) {
    text = JSON.stringify(comparison ? { ...report, comparison } : report, null, 2);
  } else if (comparison) {
    text = renderComparisonTable(comparison, args.baseline!, io.cwd, args);
  } else if (args.bench !== undefined) {
    text = renderBenchmarkTables(report, io.cwd);
  } else if (args.makeRows) {
    text = renderMakeRows(await makeRows(report, path.resolve(io.cwd, args.target), args.test), report, io.cwd, args);
  } else {
    text = renderLinesTable(report, io.cwd, args);
    if (report.scope === 'line' && report.statement?.reached) text += `\n\n${renderStatementAnatomy(report, io.cwd)}`;
  }
  if (args.output) writeFileSync(path.resolve(io.cwd, args.output), `${text}\n`);
  else io.stdout(`${text}\n`);

  for (const w of report.warnings) io.stderr(`malloclens: ${w}`);
  if (report.check && !report.check.complete) {
    io.stderr(report.check.runtimeMallocs !== undefined
      ? `malloclens: the runtime counted ${report.check.runtimeMallocs} allocations while the profile was on, but the report accounts for ${report.check.counted}; see the warnings.`
      : `malloclens: Delve counted ${report.check.delveHits} allocator hits but ${report.total.count + (report.check.skipped ?? 0)} were reported; some allocations are missing.`);
  }
  if (report.statement && !report.statement.reached) {
    io.stderr(`malloclens: ${path.relative(io.cwd, report.statement.file)}:${report.statement.line} was never reached.`);
    return 1;
  }
  if (args.bench !== undefined && (report.benchmarks ?? []).length === 0 && !report.program?.error && (report.program?.exitCode ?? 0) === 0) {
    io.stderr(`malloclens: no benchmark matched ${JSON.stringify(args.bench)}; nothing was timed.`);
    return 1;
  }
  const exit = report.program?.exitCode ?? 0;
  if (exit !== 0 || report.program?.error) {
    io.stderr(`malloclens: the program exited with status ${exit}${report.program?.error ? ` (${report.program.error})` : ''}; the counts cover what ran.`);
    return exit !== 0 ? exit : 1;
  }
  return 0;
}
