/** Running the real CLI against real Go programs, and the oracle the programs carry. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../../src/core/report';
import { LineTally, withRuntimeShare } from '../../src/core/tally';

export const ROOT = path.resolve(__dirname, '../../..');
export const CLI = path.join(ROOT, 'dist', 'cli.js');
export const FIXTURES = path.join(ROOT, 'test', 'fixtures');

/** Where Debian's golang-1.19 package puts its toolchain. */
export const GO119_BIN = '/usr/lib/go-1.19/bin';

/** A Go toolchain the tests run on, and the environment that selects it. */
export interface GoGeneration {
  name: string;
  env: NodeJS.ProcessEnv;
  available: () => boolean;
}

export const GO_INSTALLED: GoGeneration = { name: 'Go 1.26 (the installed go)', env: {}, available: () => true };
export const GO_127: GoGeneration = { name: 'Go 1.27.3 (GOTOOLCHAIN)', env: { GOTOOLCHAIN: 'go1.27.3' }, available: () => true };
/** CI installs Debian's golang-1.19 and delve; a developer machine may not have them. */
export const GO_119: GoGeneration = {
  name: 'Go 1.19 (Debian golang-1.19, Delve 1.20.2)',
  env: { PATH: `${GO119_BIN}:${process.env.PATH}`, GOTOOLCHAIN: 'local' },
  available: () => existsSync(`${GO119_BIN}/go`) && existsSync('/usr/bin/dlv'),
};
/** The three generations malloclens supports: swiss maps (1.26, 1.27) and classic ones (1.19). */
export const GO_GENERATIONS: GoGeneration[] = [GO_INSTALLED, GO_127, GO_119];

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Every process this test run starts (the CLI, Delve, the debuggee) inherits this marker in its
 * environment, so leftovers are found precisely even when other test runs share the machine.
 */
export const RUN_MARKER = `MALLOCLENS_TEST_RUN=${process.pid}-${Date.now()}`;
export function markedEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const [name, value] = RUN_MARKER.split('=');
  return { ...process.env, ...env, [name]: value };
}

export function runCli(args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return runCommand(process.execPath, [CLI, ...args], options);
}

/** Runs a command to its end (marked, so that leftovers are found), with `input` on its stdin. */
export function runCommand(command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd ?? ROOT,
      env: markedEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** 1-based numbers of the lines ending in `// case`, in order. */
export function caseLines(file: string): number[] {
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((text, i) => ({ text: text.trimEnd(), line: i + 1 }))
    .filter((l) => l.text.endsWith('// case'))
    .map((l) => l.line);
}

export interface OracleRow {
  line: number;
  source: string;
  runtime: number;
  counted: number;
  /** The runtime created a thread during the line: MemStats counted its allocations too. */
  disturbed: boolean;
}

export interface OracleRun {
  report: MallocReport;
  rows: OracleRow[];
  cli: CliResult;
}

/**
 * What a fixture wrote: its deltas in case order, either alone or with the indexes of the cases
 * during which the runtime created a thread (whose allocations MemStats counts, though no line
 * made them).
 */
export function parseOracle(text: string): { deltas: number[]; disturbed: number[] } {
  const parsed = JSON.parse(text) as number[] | { deltas: number[]; disturbed: number[] };
  return Array.isArray(parsed) ? { deltas: parsed, disturbed: [] } : { deltas: parsed.deltas, disturbed: parsed.disturbed ?? [] };
}

/**
 * Counts a fixture whose `// case` lines measure themselves, and pairs each line's count (its own
 * allocations and the runtime's on its behalf) with the program's own MemStats delta, in one run:
 * a run the runtime disturbed (a thread created during a line) is reconciled, not made again.
 */
export function countWithOracle(fixture: string, flags: string[], env: NodeJS.ProcessEnv = {}): Promise<OracleRun> {
  return countWithOracleOnce(fixture, flags, env);
}

/**
 * Makes a measurement again, three tries at most, while the program says the runtime disturbed
 * its own count (a thread created, a GC cycle inside a measured line); the last one stands.
 */
export async function measureUndisturbed<T>(attempt: () => Promise<T>, disturbed: (run: T) => boolean): Promise<T> {
  let run = await attempt();
  for (let tries = 1; tries < 3 && disturbed(run); tries++) run = await attempt();
  return run;
}

/** What the runtime's MemStats sees for a line: its own allocations and the runtime's on its behalf. */
function withShare(line: LineTally | undefined): number {
  return line ? withRuntimeShare(line) : 0;
}

async function countWithOracleOnce(fixture: string, flags: string[], env: NodeJS.ProcessEnv): Promise<OracleRun> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-test-'));
  try {
    const oracleFile = path.join(work, 'deltas.json');
    const reportFile = path.join(work, 'report.json');
    const dir = path.join(FIXTURES, fixture);
    const cli = await runCli(['count', '--json', '-o', reportFile, ...flags, dir], { env: { ...env, MALLOCLENS_ORACLE_OUT: oracleFile } });
    if (cli.code !== 0 || !existsSync(reportFile) || !existsSync(oracleFile)) {
      throw new Error(`malloclens count failed (exit ${cli.code}):\n${cli.stderr}`);
    }
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MallocReport;
    return { report, rows: oracleRows(report, readFileSync(oracleFile, 'utf8'), path.join(dir, 'main.go')), cli };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** The report's allocations that no goroutine of the program made: a thread's set-up, the GC's own. */
function threadlessAllocations(report: MallocReport): number {
  return report.unattributed.buckets.filter((b) => ['runtime', 'garbage collector', 'no stack'].includes(b.name)).reduce((n, b) => n + b.count, 0);
}

/** A whole run's count of each `// case` line of `main`, beside the delta the program wrote (`oracle`, its JSON). */
export function oracleRows(report: MallocReport, oracle: string, main: string): OracleRow[] {
  const { deltas, disturbed } = parseOracle(oracle);
  const source = readFileSync(main, 'utf8').split('\n');
  const lines = caseLines(main);
  if (lines.length !== deltas.length) throw new Error(`${lines.length} case lines but ${deltas.length} deltas`);
  return lines.map((line, i) => ({
    line,
    source: source[line - 1].trim(),
    runtime: deltas[i],
    counted: withShare(report.lines.find((l) => l.file === main && l.line === line)),
    disturbed: disturbed.includes(i),
  }));
}

/**
 * Rows where malloclens and the runtime disagree. A row is exact, own count plus the runtime's
 * share equal to the delta, unless the program saw a thread created during the line: then the
 * delta also holds what that thread's set-up allocated, which the report has either in the line's
 * runtime share (the line started it) or among the allocations no goroutine made. So there the
 * count is at most the delta, and the difference is at most those allocations of the run.
 */
export function mismatches(run: Pick<OracleRun, 'rows' | 'report'>): string[] {
  const slack = threadlessAllocations(run.report);
  return run.rows
    .filter((r) => (r.disturbed ? r.counted > r.runtime || r.runtime - r.counted > slack : r.runtime !== r.counted))
    .map((r) => `line ${r.line}: runtime ${r.runtime}, malloclens ${r.counted}${r.disturbed ? ` (a thread was created meanwhile; the run's threadless allocations: ${slack})` : ''}   ${r.source}`);
}

/** Processes started by this test run that are still alive (found by RUN_MARKER in their environment). */
export async function leftovers(): Promise<string[]> {
  const found: string[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const environ = readFileSync(`/proc/${entry}/environ`, 'latin1');
      if (!environ.split('\0').includes(RUN_MARKER)) continue;
      const status = readFileSync(`/proc/${entry}/stat`, 'latin1');
      if (/^\d+ \(.*\) Z /.test(status)) continue; // a zombie is already dead
      found.push(`${entry} ${readFileSync(`/proc/${entry}/cmdline`, 'latin1').split('\0').join(' ').trim()}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

export async function waitForNoLeftovers(timeoutMs = 2000): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  let left = await leftovers();
  while (left.length > 0 && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    left = await leftovers();
  }
  return left;
}
