/**
 * `count --baseline`: the fixture counted twice with different arguments, the second time against
 * the first's saved report. Each measured line's difference must equal the difference of the
 * runtime's own MemStats deltas the program took in the two runs, in both engines; the fast
 * engine's through `--json`, the breakpoint engine's through the table a person reads.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ComparedReport } from '../../src/core/compare';
import { formatDelta } from '../../src/core/format';
import { caseLines, FIXTURES, measureUndisturbed, parseOracle, runCli, waitForNoLeftovers } from './helpers';

const DIR = path.join(FIXTURES, 'compare');
const MAIN = path.join(DIR, 'main.go');

interface Pair {
  /** Per case line: the current run's MemStats delta minus the baseline run's. */
  oracle: Map<number, number>;
  disturbed: boolean;
  stdout: string;
  current?: ComparedReport;
}

async function countTwice(engine: string[], json: boolean): Promise<Pair> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-compare-'));
  try {
    const baseFile = path.join(work, 'base.json');
    const run = async (args: string[], oracleFile: string) => {
      const cli = await runCli(['count', ...engine, ...args], { cwd: DIR, env: { MALLOCLENS_ORACLE_OUT: oracleFile } });
      assert.equal(cli.code, 0, cli.stderr);
      return { cli, oracle: parseOracle(readFileSync(oracleFile, 'utf8')) };
    };
    await run(['--json', '-o', baseFile, '.', '--', '2'], path.join(work, 'o2.json'));
    const curFile = path.join(work, 'cur.json');
    const second = await run([...(json ? ['--json', '-o', curFile] : []), '--baseline', baseFile, '.', '--', '3'], path.join(work, 'o3.json'));
    const first = parseOracle(readFileSync(path.join(work, 'o2.json'), 'utf8'));
    const lines = caseLines(MAIN);
    return {
      oracle: new Map(lines.map((line, i) => [line, second.oracle.deltas[i] - first.deltas[i]])),
      disturbed: first.disturbed.length > 0 || second.oracle.disturbed.length > 0,
      stdout: second.cli.stdout,
      current: json ? (JSON.parse(readFileSync(curFile, 'utf8')) as ComparedReport) : undefined,
    };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

describe('count --baseline: differences equal the runtime\'s own', function () {
  this.timeout(300_000);

  it('fast engine, --json: comparison.lines[].delta against the MemStats differences', async function () {
    const pair = await measureUndisturbed(() => countTwice([], true), (p) => p.disturbed);
    const { comparison } = pair.current!;
    const got = new Map([...pair.oracle.keys()].map((line) => {
      const row = comparison.lines.find((l) => l.file === MAIN && l.line === line);
      return [line, (row?.delta.count ?? 0) + (row?.runtime?.delta.count ?? 0)];
    }));
    console.log(`    line: oracle difference / malloclens delta  ${[...pair.oracle].map(([l, d]) => `${l}: ${d}/${got.get(l)}`).join(', ')}`);
    assert.deepEqual(got, pair.oracle);
    assert.ok([...pair.oracle.values()].some((d) => d > 0) && [...pair.oracle.values()].some((d) => d < 0), 'the fixture changes counts both ways');
    const kinds = new Map(comparison.lines.filter((l) => l.file === MAIN).map((l) => [l.line, l.kind]));
    assert.ok([...kinds.values()].includes('new') && [...kinds.values()].includes('gone'), `new and gone lines: ${JSON.stringify([...kinds])}`);
    assert.deepEqual(comparison.total.delta.count, pair.current!.total.count - comparison.total.baseline.count);
    assert.deepEqual(await waitForNoLeftovers(), []);
  });

  it('breakpoint engine, the table: the DELTA column against the MemStats differences', async function () {
    const pair = await measureUndisturbed(() => countTwice(['--engine', 'breakpoints'], false), (p) => p.disturbed);
    assert.match(pair.stdout, /^LOCATION\s+FUNCTION\s+COUNT\s+DELTA\s+BYTES\s+BYTES DELTA\s+NOTE/);
    // The program's runtime share is not in this fixture's lines: its rows' DELTA is the whole difference.
    const got = new Map([...pair.oracle.keys()].map((line) => {
      const row = pair.stdout.split('\n').find((r) => r.startsWith(`main.go:${line} `));
      return [line, row ? row.split(/\s{2,}/)[3] : '(no row)'];
    }));
    // Every measured line allocates in one run at least, so each has a row.
    const expected = new Map([...pair.oracle].map(([line, d]) => [line, formatDelta(d)]));
    console.log(`    line: oracle difference / table DELTA  ${[...pair.oracle].map(([l, d]) => `${l}: ${d}/${got.get(l)}`).join(', ')}`);
    assert.deepEqual(got, expected);
    assert.match(pair.stdout, /\n\s*total: [\d,]+ allocations \([+\u2212±][\d,]+\)/);
    assert.deepEqual(await waitForNoLeftovers(), []);
  });
});
