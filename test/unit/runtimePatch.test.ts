import * as assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { patchProfileFromStart, patchProfilerWalk, patchProfilingKept, patchRecordTotals, patchTinyMerging, RECORD_TOTAL, RuntimePatchError } from '../../src/core/runtimePatch';

/** The Go runtimes on this machine: the installed one, Debian's 1.19, the toolchain GOTOOLCHAIN fetched. */
function goroots(): string[] {
  const toolchains = path.join(os.homedir(), 'go', 'pkg', 'mod', 'golang.org');
  const fetched = existsSync(toolchains) ? readdirSync(toolchains).filter((d) => d.startsWith('toolchain@')).map((d) => path.join(toolchains, d)) : [];
  return ['/usr/local/go', '/usr/lib/go-1.19', ...fetched].filter((r) => existsSync(path.join(r, 'src', 'runtime', 'mprof.go')));
}

describe('fast mode\'s runtime patches', () => {
  it('turns off tiny-block reuse wherever a runtime chooses the block to merge into, and nothing else', () => {
    const source = [
      'if !raceenabled && (size < c.tinyoffset || c.tiny == 0) {',
      'if !raceenabled && (constsize < c.tinyoffset || c.tiny == 0) {',
      'if !raceenabled && (other || thing) {',
    ].join('\n');
    const { text, changed } = patchTinyMerging(source);
    assert.equal(changed, true);
    const lines = text.split('\n');
    assert.match(lines[0], /^if false .*&& \(size < c\.tinyoffset \|\| c\.tiny == 0\) \{$/);
    assert.match(lines[1], /^if false .*&& \(constsize < c\.tinyoffset/);
    assert.equal(lines[2], 'if !raceenabled && (other || thing) {', 'an unrelated race condition stays');
    assert.equal(patchTinyMerging('func f() {}').changed, false);
  });

  it('refuses a runtime whose profiler or stack walk it does not know', () => {
    assert.throws(() => patchProfilerWalk('func mProf_Malloc(mp *m) { nstk := callers(3, x) }', 'package runtime\n'), RuntimePatchError);
    assert.throws(() => patchProfilerWalk('func mProf_Malloc() {}\n', '\nfunc callers(skip int, pcbuf []uintptr) int {\n\treturn walk(pcbuf)\n}\n'), RuntimePatchError);
    // A walk it knows, but no free tracking where it expects it.
    const traceback = '\nfunc callers(skip int, pcbuf []uintptr) int {\n\tu.initAt(pc, sp, 0, gp, unwindSilentErrors)\n}\n';
    assert.throws(() => patchProfilerWalk('func mProf_Malloc(mp *m) {\n\tnstk := callers(3, x)\n}\n', traceback), /free/);
  });

  for (const root of goroots()) {
    it(`patches the runtime of ${root} (every tiny allocator, the profiler's walk)`, () => {
      const runtime = path.join(root, 'src', 'runtime');
      const mallocs = readdirSync(runtime).filter((n) => /^malloc.*\.go$/.test(n) && !n.endsWith('_test.go'));
      const patched = mallocs.map((n) => patchTinyMerging(readFileSync(path.join(runtime, n), 'utf8')));
      assert.ok(patched.some((p) => p.changed), 'a tiny allocator was found');
      for (const p of patched) assert.doesNotMatch(p.text, /!raceenabled && \(\w+ < c\.tinyoffset/, 'no tiny block is reused');
      const source = (name: string) => (existsSync(path.join(runtime, name)) ? readFileSync(path.join(runtime, name), 'utf8') : '');
      const tracestack = source('tracestack.go');
      const mprof = patchProfilerWalk(patchRecordTotals(source('mprof.go')), source('traceback.go'), tracestack);
      const malloc = /func mProf_Malloc\([^]*?\n\}\n/.exec(mprof)![0];
      const record = /\ntype memRecord struct \{[^]*?\n\}\n/.exec(mprof)![0];
      assert.match(record, new RegExp(`\\tfuture \\[3\\]memRecordCycle\\n(?:\\n|\\t//[^\\n]*\\n)*\\t${RECORD_TOTAL} uintptr\\n\\}\\n$`), 'each record has its never-folded total, last');
      assert.match(malloc, new RegExp(`\\tmpc\\.allocs\\+\\+\\n\\tatomic\\.Xadduintptr\\(&b\\.mp\\(\\)\\.${RECORD_TOTAL}, 1\\)`), 'counted where the cycle is, atomically');
      assert.equal(mprof.split(`${RECORD_TOTAL}, 1)`).length - 1, 1, 'and nowhere else');
      assert.doesNotMatch(/func mProf_FlushLocked\([^]*?\n\}\n/.exec(mprof)![0], new RegExp(RECORD_TOTAL), 'never folded');
      assert.doesNotMatch(malloc, /setprofilebucket/, 'no free tracking');
      const walk = /func malloclensProfileCallers\([^]*?\n\}\n/.exec(mprof)![0];
      assert.match(walk, /unwindJumpStack|_TraceJumpStack/, 'the copy jumps from the system stack to the goroutine');
      if (tracestack.includes('func fpunwindExpand(')) {
        assert.match(malloc, /nstk :?= malloclensProfileStack\(/, 'mProf_Malloc walks by frame pointers where the runtime can');
        const fast = /func malloclensProfileStack\([^]*?\n\}\n/.exec(mprof)![0];
        assert.match(fast, /gp != gp\.m\.curg[^]*malloclensProfileCallers\(skip\+1, pcbuf\)/, 'off the goroutine\'s stack it takes the copy');
        assert.match(mprof, /func malloclensExpand\([^]*malloclensSelfExpanding\[/, 'the expansion keeps the addresses that expand to themselves');
      } else {
        assert.match(malloc, /nstk :?= malloclensProfileCallers\(/, 'mProf_Malloc walks with the copy');
      }
      const fromStart = patchProfileFromStart(mprof);
      assert.match(fromStart, /\nvar MemProfileRate int = 1\n/, 'every allocation is profiled from the first');
      const early = /func mProf_Malloc\([^]*?\n\}\n/.exec(fromStart)![0];
      if (/mp\.profStack == nil/.test(malloc)) {
        assert.match(early, /if mp\.profStack == nil \{\n(?:\t\t\/\/[^\n]*\n)*\t\tmalloclensRecordWithoutStack\(size\)\n\t\treturn/, 'an M with no stack buffer yet records with no stack');
        const without = /func malloclensRecordWithoutStack\([^]*?\n\}\n/.exec(fromStart)![0];
        assert.match(without, /stkbucket\(memProfile, size, nil, true\)[^]*mpc\.allocs\+\+/, 'as mProf_Malloc records, with a nil stack');
        assert.match(without, new RegExp(`mpc\\.allocs\\+\\+\\n\\tatomic\\.Xadduintptr\\(&b\\.mp\\(\\)\\.${RECORD_TOTAL}, 1\\)`), 'into the total as well');
      }
      const proc = patchProfilingKept(source('proc.go'));
      if (proc.changed) assert.match(proc.text, /if false && disableMemoryProfiling \{/, 'the linker\'s switch is ignored');
      else assert.match(source('mprof.go'), /defaultMemProfileRate\(/, 'where schedinit has no switch, the default did it (replaced above)');
    });
  }

  it('refuses a profiler whose records it does not know where to total', () => {
    assert.throws(() => patchRecordTotals('package runtime\n\ntype memRecord struct {\n\tactive memRecordCycle\n}\n'), /memRecord/);
    const record = 'type memRecord struct {\n\tactive memRecordCycle\n\tfuture [3]memRecordCycle\n}\n';
    assert.throws(() => patchRecordTotals(`package runtime\n${record}\nfunc mProf_Malloc() {\n\tcount(b)\n}\n`), /mProf_Malloc/);
  });

  it('refuses a profiler whose no-stack early return it cannot turn into a record', () => {
    const mprof = 'package runtime\n\nvar MemProfileRate int = 512 * 1024\n\nfunc mProf_Malloc(mp *m, p unsafe.Pointer, size uintptr) {\n\tif mp.profStack == nil {\n\t\treturn\n\t}\n\trecord(size)\n}\n';
    assert.throws(() => patchProfileFromStart(mprof), RuntimePatchError);
    assert.throws(() => patchProfileFromStart('package runtime\n'), /MemProfileRate/);
  });
});
