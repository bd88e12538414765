/**
 * Line scope (`count --line`): the first execution of one statement, on its goroutine, equals the
 * MemStats delta the program measured around that first execution.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../../src/core/report';
import { caseLines, FIXTURES, measureUndisturbed, parseOracle, runCli, waitForNoLeftovers } from './helpers';

/** Counts one statement; a run whose program saw a thread created inside a measured line is made again. */
function countLine(fixture: string, line: number): Promise<{ report: MallocReport; runtime: number[] }> {
  return measureUndisturbed(() => countLineOnce(fixture, line), (run) => run.disturbed.length > 0);
}

async function countLineOnce(fixture: string, line: number): Promise<{ report: MallocReport; runtime: number[]; disturbed: number[] }> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-test-'));
  try {
    const dir = path.join(FIXTURES, fixture);
    const reportFile = path.join(work, 'report.json');
    const oracleFile = path.join(work, 'deltas.json');
    const cli = await runCli(['count', '--json', '-o', reportFile, '--line', `${path.join(dir, 'main.go')}:${line}`, dir], { env: { MALLOCLENS_ORACLE_OUT: oracleFile } });
    assert.equal(cli.code, 0, cli.stderr);
    const { deltas, disturbed } = parseOracle(readFileSync(oracleFile, 'utf8'));
    return { report: JSON.parse(readFileSync(reportFile, 'utf8')), runtime: deltas, disturbed };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('line scope: the first execution of one statement', function () {
  this.timeout(120_000);

  const fixture = 'linescope';
  const main = path.join(FIXTURES, fixture, 'main.go');
  const source = readFileSync(main, 'utf8').split('\n');
  caseLines(main).forEach((line, index) => {
    it(`${fixture}/main.go:${line}  ${source[line - 1].trim()}`, async () => {
      const { report, runtime } = await countLine(fixture, line);
      assert.equal(report.scope, 'line');
      assert.equal(report.statement?.reached, true);
      assert.equal(report.total.count, runtime[index], `malloclens ${report.total.count}, runtime ${runtime[index]}`);
      assert.equal(report.unattributed.count, 0, 'nothing outside the statement is counted');
    });
  });

  const corpus = path.join(FIXTURES, 'corpus', 'main.go');
  const corpusSource = readFileSync(corpus, 'utf8').split('\n');
  const corpusCases = caseLines(corpus);
  for (const text of ['sinkMap = make(map[int]int, 1000)', 'go func() { done <- true }(); <-done', 'json.Marshal(payload)', 'for i := 0; i < 100; i++ { sinkMap[i] = i }']) {
    const index = corpusCases.findIndex((l) => corpusSource[l - 1].includes(text));
    it(`corpus: ${text}`, async () => {
      assert.ok(index >= 0, `the corpus has a line with ${text}`);
      const { report, runtime } = await countLine('corpus', corpusCases[index]);
      assert.equal(report.total.count, runtime[index]);
      assert.deepEqual(await waitForNoLeftovers(), []);
    });
  }

  it('reports a statement that never runs, with a non-zero exit', async () => {
    const unreached = source.findIndex((l) => l.includes('panic(err)')) + 1;
    const cli = await runCli(['count', '--json', '--line', `${main}:${unreached}`, path.join(FIXTURES, fixture)], { env: { MALLOCLENS_ORACLE_OUT: path.join(os.tmpdir(), 'malloclens-unused.json') } });
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /was never reached/);
    const report = JSON.parse(cli.stdout) as MallocReport;
    assert.equal(report.statement?.reached, false);
    assert.equal(report.total.count, 0);
  });
});
