/**
 * `count --bench`: per-op counts per line, over the windows testing.B times, against the testing
 * package's own figures from a separate `go test` with the same build flags (benchOracle.ts):
 * every allocation of a benchmark's last run (its lines, what the runtime did on their behalf, and
 * what no line is charged with) adds up to testing.Benchmark's MemAllocs, and over b.N to
 * -benchmem's allocs/op; in both engines, on a fixture (setup before ResetTimer, StopTimer and
 * StartTimer, b.Loop, a map and append, sub-benchmarks) and on gorilla/mux's own benchmarks.
 */
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { BenchmarkReport } from '../../src/core/benchmarkWindows';
import type { MallocReport } from '../../src/core/report';
import { BenchmarkOracle, benchmarkOracle, downloadModule, writableCopy } from './benchOracle';
import { FIXTURES, runCli, waitForNoLeftovers } from './helpers';

const ENGINES = ['fast', 'breakpoints'] as const;
/**
 * One P on both sides: with more, the runtime starts a thread now and then inside a timed window
 * (about six allocations, `new thread`), in testing's own figure as much as in malloclens's, and
 * two runs of the same benchmark differ by that. The breakpoint engine runs with one P anyway.
 */
const ONE_P = { GOMAXPROCS: '1' };

/** Every allocation the report puts in the benchmark's timed runs, added up from its parts. */
function summed(b: BenchmarkReport): { allocs: number; bytes: number; allocsPerOp: number } {
  let allocs = b.unattributed.allocs;
  let bytes = b.unattributed.bytes;
  let allocsPerOp = b.unattributed.allocsPerOp;
  for (const l of b.lines) {
    allocs += l.allocs + (l.runtime?.allocs ?? 0);
    bytes += l.bytes + (l.runtime?.bytes ?? 0);
    allocsPerOp += l.allocsPerOp + (l.runtime?.allocsPerOp ?? 0);
  }
  return { allocs, bytes, allocsPerOp };
}

async function countBench(dir: string, engine: string, bench: string, benchtime: string): Promise<{ report: MallocReport; ms: number }> {
  const started = Date.now();
  const r = await runCli(['count', '--json', '--engine', engine, '--bench', bench, '--benchtime', benchtime, dir], { env: ONE_P });
  const ms = Date.now() - started;
  assert.equal(r.code, 0, r.stderr);
  return { report: JSON.parse(r.stdout) as MallocReport, ms };
}

/**
 * Each benchmark the oracle ran: the same b.N; the report's parts sum to the runtime's Mallocs
 * over the same windows exactly, and those on the module's lines, per op, truncate to
 * -benchmem's allocs/op. Bytes: fast
 * mode counts what the allocator hands out, as MemBytes does (`exactBytes`: no tiny objects, which
 * fast mode's runtime gives 16-byte blocks of their own); the breakpoint engine counts requested
 * sizes, never more than the size classes MemBytes counts.
 */
function assertMatchesOracle(report: MallocReport, oracle: BenchmarkOracle, engine: string, exactBytes: boolean): string[] {
  const figures: string[] = [];
  assert.ok(oracle.benchmem.size > 0, 'the oracle ran benchmarks');
  for (const [name, mem] of oracle.benchmem) {
    const b = report.benchmarks?.find((x) => x.name === name);
    assert.ok(b, `${engine}: ${name} is in the report (${report.benchmarks?.map((x) => x.name).join(', ')})`);
    assert.equal(b.n, mem.n, `${engine}: ${name}'s b.N`);
    const sum = summed(b);
    // The benchmark's own: every part but the allocations with no frame of the module (another
    // thread's, such as a new M the runtime starts as StartTimer stops the world). Separate runs
    // (-benchmem, testing.Benchmark) are compared with these.
    const own = { allocs: sum.allocs - b.unattributed.allocs, bytes: sum.bytes - b.unattributed.bytes };
    assert.equal(sum.allocs, b.allocs, `${engine}: ${name}: the parts add up to the benchmark's total`);
    assert.equal(Math.trunc(own.allocs / b.n), mem.allocsPerOp, `${engine}: ${name}: allocs/op against -benchmem`);
    assert.ok(Math.abs(sum.allocsPerOp - sum.allocs / b.n) < 1e-9, `${engine}: ${name}: per-op figures are the counts over b.N`);
    const parts = `lines ${JSON.stringify(b.lines.map((l) => [`${l.file.split('/').pop()}:${l.line}`, l.allocs, l.runtime?.allocs ?? 0]))}, unattributed ${b.unattributed.allocs}`;
    // The oracle of the same run: the runtime's own count over exactly these windows, and what the
    // testing package itself counted, whose start reading comes a moment later inside StartTimer.
    assert.equal(typeof b.runtimeAllocs, 'number', `${engine}: ${name}: the runtime's count over the windows was read`);
    assert.equal(sum.allocs, b.runtimeAllocs, `${engine}: ${name}: allocations against the runtime's Mallocs over the same windows (${parts})`);
    assert.equal(typeof b.testingAllocs, 'number', `${engine}: ${name}: testing's own count of this run was read`);
    assert.ok(b.testingAllocs! <= b.runtimeAllocs!, `${engine}: ${name}: testing's netAllocs ${b.testingAllocs} within the runtime's ${b.runtimeAllocs} over the windows`);
    // What has no line of the module comes from elsewhere, at the window's edge: testing did not see it.
    assert.ok(b.unattributed.allocs <= b.runtimeAllocs! - b.testingAllocs!, `${engine}: ${name}: ${b.unattributed.allocs} allocation(s) on no line, beyond the ${b.runtimeAllocs! - b.testingAllocs!} testing did not see (${parts})`);
    if (b.testingAllocs !== b.runtimeAllocs) console.log(`      ${engine}: ${name}: ${b.runtimeAllocs! - b.testingAllocs!} allocation(s) between StartTimer's call and testing's reading of MemStats (${parts})`);
    const exact = oracle.exact.get(name);
    if (exact) {
      assert.equal(exact.n, b.n, `${engine}: ${name}: testing.Benchmark's N`);
      // A separate run of testing.Benchmark: the same unless the runtime's own accounting of the
      // two runs differed (a pooled object allocated again), which the same-run figure shows.
      if (b.testingAllocs !== exact.allocs) console.log(`      ${engine}: ${name}: testing counted ${b.testingAllocs} in this run and ${exact.allocs} in the separate testing.Benchmark run; the report follows this run's`);
      if (engine === 'fast' && exactBytes && b.testingAllocs === exact.allocs) assert.equal(own.bytes, exact.bytes, `${engine}: ${name}: bytes against MemBytes`);
      if (engine === 'breakpoints') assert.ok(own.bytes > 0 && own.bytes <= exact.bytes, `${engine}: ${name}: requested bytes ${own.bytes} within MemBytes ${exact.bytes}`);
    }
    if (engine === 'fast' && exactBytes) assert.equal(Math.trunc(own.bytes / b.n), mem.bytesPerOp, `${engine}: ${name}: B/op against -benchmem`);
    assert.equal(typeof b.gcCycles, 'number', `${engine}: ${name}: the collections in the timed runs were read`);
    figures.push(`${name}: ${sum.allocs}/${b.n} = ${sum.allocsPerOp.toFixed(2)} allocs/op, ${sum.bytes} B, ${b.gcCycles} GCs (testing in this run: ${b.testingAllocs} allocs; testing.Benchmark apart: ${exact ? `${exact.allocs} allocs, ${exact.bytes} B; ` : ''}-benchmem ${mem.allocsPerOp} allocs/op, ${mem.bytesPerOp} B/op)`);
  }
  return figures;
}

describe('malloclens count --bench: allocations per op against the testing package', function () {
  this.timeout(600_000);

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(), [], 'no dlv, debuggee or symbolizer process is left behind');
  });

  describe('the benchops fixture', () => {
    let copy: ReturnType<typeof writableCopy>;
    let oracle: BenchmarkOracle;
    const exact = ['BenchmarkSetupThenReset', 'BenchmarkStopStart', 'BenchmarkLoop', 'BenchmarkMapAppend'];

    before(async () => {
      copy = writableCopy(path.join(FIXTURES, 'benchops'), 'benchops');
      oracle = await benchmarkOracle(copy.dir, { bench: '.', exact, benchtime: '40x', env: ONE_P });
    });
    after(() => copy?.remove());

    for (const engine of ENGINES) {
      it(`${engine}: each benchmark's lines add up to testing's own figures, and untimed lines are left out`, async () => {
        const { report, ms } = await countBench(copy.dir, engine, '.', '40x');
        const figures = assertMatchesOracle(report, oracle, engine, true);
        const names = report.benchmarks!.map((b) => b.name).sort();
        assert.deepEqual(names, [...oracle.benchmem.keys()].sort(), 'exactly the benchmarks go test reports (no parent of sub-benchmarks)');
        const source = path.join(copy.dir, 'benchops_test.go');
        const untimed = readFileSync(source, 'utf8').split('\n').flatMap((t, i) => (t.includes('// untimed') ? [i + 1] : []));
        for (const b of report.benchmarks!) {
          const wrong = b.lines.filter((l) => l.file === source && untimed.includes(l.line));
          assert.deepEqual(wrong.map((l) => l.line), [], `${engine}: ${b.name}: no untimed line`);
          assert.ok(b.lines.length > 0, `${engine}: ${b.name} has lines`);
        }
        console.log(`      ${engine} (${ms} ms):\n        ${figures.join('\n        ')}`);
      });
    }
  });

  it('says so and exits 1 when no benchmark matches, rather than reporting nothing as zero', async () => {
    const r = await runCli(['count', '--bench', '^BenchmarkNoSuch$', path.join(FIXTURES, 'benchops')]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /malloclens: no benchmark matched "\^BenchmarkNoSuch\$"; nothing was timed\./);
    assert.equal(r.stdout.trim().split('\n').pop(), 'no benchmark ran');
  });

  describe('gorilla/mux v1.8.1 (through the Go module proxy)', () => {
    let copy: ReturnType<typeof writableCopy>;
    let oracle: BenchmarkOracle;
    const bench = '^(BenchmarkMux|BenchmarkManyPathVariables)$';

    before(async () => {
      copy = writableCopy(await downloadModule('github.com/gorilla/mux@v1.8.1'), 'mux');
      oracle = await benchmarkOracle(copy.dir, { bench, exact: ['BenchmarkMux', 'BenchmarkManyPathVariables'], benchtime: '20x', env: ONE_P });
    });
    after(() => copy?.remove());

    for (const engine of ENGINES) {
      it(`${engine}: BenchmarkMux and BenchmarkManyPathVariables add up to testing's own figures`, async () => {
        const { report, ms } = await countBench(copy.dir, engine, bench, '20x');
        const figures = assertMatchesOracle(report, oracle, engine, false);
        for (const b of report.benchmarks!) assert.ok(b.lines.some((l) => l.file.startsWith(copy.dir)), `${engine}: ${b.name} charges lines of mux's own`);
        console.log(`      ${engine} (${ms} ms):\n        ${figures.join('\n        ')}`);
      });
    }
  });
});
