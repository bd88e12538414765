/**
 * The truth test for fast mode (`count --fast`): for every measured statement, the count equals
 * the delta of runtime.MemStats.Mallocs the program measured around it in the same run, on Go
 * 1.19, 1.26 and 1.27, debug and optimized builds, at the machine's full GOMAXPROCS. The corpus is
 * the breakpoint engine's; `fastconcurrent` adds what only fast mode meets (several threads making
 * merged tiny allocations at once, goroutines and Ps created on the system stack).
 */
import * as assert from 'node:assert/strict';
import { countWithOracle, GO_GENERATIONS, mismatches, OracleRun, waitForNoLeftovers } from './helpers';

const builds = [{ name: 'debug build', flags: [] as string[] }, { name: 'optimized build', flags: ['--optimized'] }];

function assertExact(run: OracleRun): void {
  assert.deepEqual(mismatches(run), []);
  assert.deepEqual(run.report.warnings, [], 'nothing was lost or left uncounted');
  assert.equal(run.report.scope, 'run');
  // The whole run, not just the measured lines: the runtime's own count while the profile was on.
  if (run.report.engine === 'fast') assert.equal(run.report.check?.complete, true, `the runtime's count and the report's: ${JSON.stringify(run.report.check)}`);
}

describe('fast mode oracle: counts equal the runtime\'s own MemStats deltas', function () {
  this.timeout(300_000);

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(), [], 'no dlv, debuggee or symbolizer process is left behind');
  });

  for (const generation of GO_GENERATIONS) {
    for (const build of builds) {
      it(`corpus, ${generation.name}, ${build.name}`, async function () {
        if (!generation.available()) this.skip();
        const run = await countWithOracle('corpus', ['--fast', ...build.flags], generation.env);
        assert.ok(run.rows.length >= 25, `the corpus has ${run.rows.length} statements`);
        assertExact(run);
        assert.ok(run.rows.some((r) => r.runtime > 100), 'the concurrent line allocates');
      });
    }

    it(`threads at once and the system stack, ${generation.name}, debug build`, async function () {
      if (!generation.available()) this.skip();
      const run = await countWithOracle('fastconcurrent', ['--fast'], { ...generation.env, MALLOCLENS_DEBUG: '1' });
      assertExact(run);
      assert.ok(run.rows.filter((r) => r.runtime > 500).length >= 2, 'the concurrent tiny-allocation lines allocate');
      if (!/toolchain in the module cache/.test(run.cli.stderr)) {
        // With the runtime overlay nothing is caught at a stop: the only hidden stops are where
        // profiling starts and where the program exits.
        const stops = run.cli.stderr.split('\n').filter((l) => /\] stopped \{/.test(l));
        assert.ok(stops.length <= 2, `${stops.length} stops:\n${stops.join('\n')}`);
      }
    });
  }

  it('corpus, Go 1.26, the profile read through Delve\'s requests (as when the process\'s memory cannot be read)', async () => {
    assertExact(await countWithOracle('corpus', ['--fast'], { MALLOCLENS_MEMORY: 'delve' }));
  });

  for (const generation of GO_GENERATIONS) {
    for (const engine of ['fast', 'breakpoints']) {
      it(`cgo (a main that calls C, a package of the module's own with cgo), ${generation.name}, ${engine}`, async function () {
        if (!generation.available()) this.skip();
        const run = await countWithOracle('cgo', ['--engine', engine], generation.env);
        assert.equal(run.rows.length, 4);
        assertExact(run);
        assert.ok(run.rows[0].runtime >= 100, 'the line that calls C allocates');
      });
    }
  }

  it('threads at once and the system stack, Go 1.26, optimized build', async () => {
    assertExact(await countWithOracle('fastconcurrent', ['--fast', '--optimized']));
  });

  it('both engines agree line by line where the program allocated the same in both runs (Go 1.26)', async () => {
    const breakpoints = await countWithOracle('corpus', ['--engine', 'breakpoints']);
    const fast = await countWithOracle('corpus', ['--fast']);
    assert.deepEqual([mismatches(breakpoints), mismatches(fast)], [[], []]);
    const same = breakpoints.rows.filter((r, i) => r.runtime === fast.rows[i].runtime);
    assert.ok(same.length >= breakpoints.rows.length - 3, 'the program is nearly deterministic');
    for (const row of same) {
      const other = fast.rows.find((r) => r.line === row.line)!;
      assert.equal(other.counted, row.counted, `line ${row.line}: ${row.source}`);
    }
    // Both count from the program's first allocation: the runtime's own start is in each report,
    // and fast mode's grand total is the runtime's Mallocs at exit.
    const bucket = (r: typeof fast, name: string) => r.report.unattributed.buckets.find((b) => b.name === name)?.count ?? 0;
    assert.ok(bucket(fast, 'runtime init') > 0 && bucket(breakpoints, 'runtime init') > 0, 'the runtime\'s own start is counted by both engines');
    assert.deepEqual(fast.report.check, { runtimeMallocs: fast.report.total.count, counted: fast.report.total.count, complete: true }, 'fast mode: every allocation of the run, against the runtime\'s count at exit');
  });
});
