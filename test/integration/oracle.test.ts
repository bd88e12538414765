/**
 * The truth test: for every statement of the corpus, malloclens's count equals the delta of
 * runtime.MemStats.Mallocs the program measured around that statement in the same run.
 */
import * as assert from 'node:assert/strict';
import { countWithOracle, GO_GENERATIONS, mismatches, waitForNoLeftovers } from './helpers';

describe('oracle corpus: counts equal the runtime\'s own MemStats deltas', function () {
  this.timeout(300_000);

  for (const generation of GO_GENERATIONS) {
    for (const build of [{ name: 'debug build', flags: ['--engine', 'breakpoints'] }, { name: 'optimized build', flags: ['--engine', 'breakpoints', '--optimized'] }]) {
      it(`${generation.name}, ${build.name}`, async function () {
        if (!generation.available()) {
          // CI installs Debian's golang-1.19 and delve; a developer machine may not have them.
          this.skip();
        }
        const { rows, report } = await countWithOracle('corpus', build.flags, generation.env);
        assert.ok(rows.length >= 25, `the corpus has ${rows.length} statements`);
        assert.deepEqual(mismatches({ rows, report }), []);
        assert.ok(rows.some((r) => r.runtime > 100), 'the concurrent line allocates');
        if (report.check) assert.equal(report.check.complete, true, `Delve saw ${report.check.delveHits} hits`);
        assert.deepEqual(await waitForNoLeftovers(), []);
      });
    }
  }
});
