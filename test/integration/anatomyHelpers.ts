/** Counting one row of the anatomy experiment with the real CLI, beside what the program measured. */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnatomyRecord } from '../../src/core/anatomyText';
import type { MallocReport } from '../../src/core/report';
import { ANATOMY_FIXTURE, ANATOMY_MAIN, measuredRow, MeasuredRow, ProgramFacts, readFacts, rowLine } from '../../scripts/anatomyOracle';
import { GO_119, GO_127, GO_INSTALLED, runCli } from './helpers';

export interface Generation {
  name: string;
  env: NodeJS.ProcessEnv;
  available: () => boolean;
  /** Swiss maps (Go 1.24+) or classic ones. */
  swiss: boolean;
}

export const GENERATIONS: Generation[] = [{ ...GO_119, swiss: false }, { ...GO_INSTALLED, swiss: true }, { ...GO_127, swiss: true }];

export interface RowCount {
  report: MallocReport;
  /** The statement's allocations, in order. */
  parts: AnatomyRecord[];
  /** What the program measured around the statement. */
  row: MeasuredRow;
  facts: ProgramFacts;
}

/** `malloclens count --json --line main.go:<row's line>` on the anatomy fixture. */
export async function countRow(id: string, flags: string[], env: NodeJS.ProcessEnv): Promise<RowCount> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-test-'));
  try {
    const reportFile = path.join(work, 'report.json');
    const oracleFile = path.join(work, 'facts.json');
    const line = rowLine(id).line;
    const cli = await runCli(['count', '--json', '-o', reportFile, ...flags, '--line', `${ANATOMY_MAIN}:${line}`, ANATOMY_FIXTURE], { env: { ...env, MALLOCLENS_ORACLE_OUT: oracleFile } });
    if (cli.code !== 0 || !existsSync(reportFile) || !existsSync(oracleFile)) throw new Error(`malloclens count failed (exit ${cli.code}):\n${cli.stderr}`);
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MallocReport;
    const facts = readFacts(oracleFile);
    const charged = report.lines.find((l) => l.file === ANATOMY_MAIN && l.line === line);
    return { report, parts: (charged?.allocations ?? []) as AnatomyRecord[], row: measuredRow(facts, id), facts };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
