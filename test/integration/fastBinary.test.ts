/**
 * What fast mode reads from the program's binary, per Go version: the layout of the runtime's
 * profile records (checked here, never assumed in the code, which takes it from DWARF), and the
 * names of inlined frames (the runtime records an inlined call as its own frame; the line it is
 * charged to must carry the inlined function's name, as Delve gives it to the breakpoint engine).
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../../src/core/report';
import { RECORD_TOTAL } from '../../src/core/runtimePatch';
import { headerIndexes, recordIndexes } from '../../src/dap/fast/profileLayout';
import { runtimeOverlay } from '../../src/dap/fast/runtimeOverlay';
import { layoutFromBinary } from '../../src/dap/fast/runtimeMallocs';
import { Symbolizer } from '../../src/dap/fast/symbolizer';
import { buildProgram } from '../../src/dap/goToolchain';
import { FIXTURES, GO_119, GO_127, GO_INSTALLED, markedEnv, runCli, waitForNoLeftovers } from './helpers';

/** runtime.memRecordCycle per Go generation: Go 1.27 keeps no byte counts. */
const generations = [
  { ...GO_INSTALLED, cycle: { size: 32, allocs: 0 } },
  { ...GO_127, cycle: { size: 16, allocs: 0 } },
  { ...GO_119, cycle: { size: 32, allocs: 0 } },
];

describe('fast mode: what it reads from the binary', function () {
  this.timeout(300_000);

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(), [], 'no symbolizer, dlv or debuggee process is left behind');
  });

  for (const generation of generations) {
    it(`${generation.name}: runtime.bucket and runtime.memRecord are laid out as fast mode reads them`, async function () {
      if (!generation.available()) this.skip();
      const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-layout-'));
      const env = markedEnv(generation.env);
      try {
        const overlaid = await runtimeOverlay(path.join(FIXTURES, 'exits'), env);
        for (const [optimized, runtime] of [[false, undefined], [true, undefined], [false, overlaid]] as const) {
          const built = await buildProgram({ target: path.join(FIXTURES, 'exits'), test: false, optimized, output: path.join(work, `program-${optimized}-${runtime !== undefined}`), env, runtime });
          const symbolizer = await Symbolizer.start(built.binary, env);
          try {
            const { bucket, memRecord, memRecordCycle } = symbolizer.layout;
            if (runtime) {
              // Fast mode's runtime: one word more per record, the never-folded total, read alone.
              assert.equal(memRecord.fields[RECORD_TOTAL], 4 * generation.cycle.size);
              assert.equal(memRecord.size, 4 * generation.cycle.size + 8);
              assert.deepEqual(recordIndexes(symbolizer.layout).allocs, [4 * generation.cycle.size / 8]);
              continue;
            }
            assert.equal(bucket.size, 48);
            assert.deepEqual(
              Object.fromEntries(['next', 'allnext', 'typ', 'hash', 'size', 'nstk'].map((f) => [f, bucket.fields[f]])),
              { next: 0, allnext: 8, typ: 16, hash: 24, size: 32, nstk: 40 },
            );
            assert.equal(memRecordCycle.size, generation.cycle.size);
            assert.equal(memRecordCycle.fields.allocs, generation.cycle.allocs);
            assert.deepEqual([memRecord.fields.active, memRecord.fields.future, memRecord.futureCount], [0, generation.cycle.size, 3]);
            assert.equal(memRecord.size, 4 * generation.cycle.size);
            assert.equal(memRecord.fields[RECORD_TOTAL], undefined, 'the stock runtime\'s record');
            assert.deepEqual(headerIndexes(symbolizer.layout), { words: 6, allnext: 1, typ: 2, size: 4, nstk: 5 });
            assert.equal(recordIndexes(symbolizer.layout).allocs.length, 4);
            // The runtime's own allocation count is found from the same description, with no request to Delve.
            const counts = layoutFromBinary(symbolizer.layout);
            assert.ok(counts, `the binary describes the heap stats, the Ps' caches and their spans: ${JSON.stringify(Object.keys(symbolizer.layout))}`);
            assert.deepEqual([counts.generations.length, counts.spanClasses], [3, 136]);
          } finally {
            symbolizer.close();
          }
        }
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    });
  }

  it('names the line of an inlined function after that function, as the breakpoint engine does (Go 1.26, optimized)', async () => {
    const fixture = path.join(FIXTURES, 'fastinline');
    const main = path.join(fixture, 'main.go');
    const line = readFileSync(main, 'utf8').split('\n').findIndex((l) => l.endsWith('// inlined')) + 1;
    const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-inline-'));
    try {
      for (const flags of [['--fast'], ['--engine', 'breakpoints']]) {
        const oracle = path.join(work, `deltas${flags.length}.json`);
        const r = await runCli(['count', '--json', '--optimized', ...flags, fixture], { env: { MALLOCLENS_ORACLE_OUT: oracle } });
        assert.equal(r.code, 0, r.stderr);
        const counted = (JSON.parse(r.stdout) as MallocReport).lines.find((l) => l.file === main && l.line === line);
        const [delta] = JSON.parse(readFileSync(oracle, 'utf8')) as number[];
        assert.deepEqual(counted && [counted.function, counted.count], ['main.newPair', delta], flags.join(' ') || 'breakpoint engine');
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
