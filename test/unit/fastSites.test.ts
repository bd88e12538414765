import * as assert from 'node:assert/strict';
import { SITE_FUNCTIONS, systemStackCallReturns, tinyMergeAddresses } from '../../src/dap/fast/runtimeSites';
import { toDisassembledFunction } from '../../src/dap/fast/symbolizer';

const MALLOC = '/usr/local/go/src/runtime/malloc.go';
const PROC = '/usr/local/go/src/runtime/proc.go';

/** Shaped like the symbolizer's disassembly of a Go 1.26 optimized build: calls and each line's first instruction. */
function ins(pc: number, length: number, text: string, file: string, line: number) {
  return { pc: `0x${pc.toString(16)}`, length, text, file, line };
}

const tiny = toDisassembledFunction({
  name: 'runtime.mallocgcTiny',
  instructions: [
    ins(0x41fad3, 4, 'LEAQ 0(R9)(DI*1), AX', MALLOC, 1267),
    ins(0x41fad7, 4, 'MOVQ R8, 0x20(SI)', MALLOC, 1268),
    ins(0x41fadb, 4, 'INCQ 0x28(SI)', MALLOC, 1269),
    ins(0x41fadf, 10, 'MOVL $0x0, 0xf0(DX)', MALLOC, 1270),
    ins(0x41fae9, 4, 'INCQ 0x28(SI)', MALLOC, 1269),
  ],
});
const mcommoninit = toDisassembledFunction({
  name: 'runtime.mcommoninit',
  instructions: [
    ins(0x44eb23, 5, 'CALL runtime.newobject(SB)', '/usr/local/go/src/runtime/runtime2.go', 754),
    ins(0x44eb7a, 5, 'CALL runtime.malg(SB)', '/usr/local/go/src/runtime/os_linux.go', 388),
    ins(0x44ecac, 5, 'CALL runtime.makeslice(SB)', PROC, 1063),
  ],
});
const newstack = toDisassembledFunction({ name: 'runtime.newstack', instructions: [ins(0x460000, 5, 'CALL runtime.newobject(SB)', PROC, 1100)] });

const SOURCES: Record<string, Record<number, string>> = {
  [MALLOC]: { 1267: '\t\tx := unsafe.Pointer(c.tiny + off)', 1268: '\t\tc.tinyoffset = off + size', 1269: '\t\tc.tinyAllocs++', 1270: '\t\tmp.mallocing = 0' },
};
const sourceLine = (file: string, line: number) => SOURCES[file]?.[line];

describe('fast mode: where to catch what the profile misses', () => {
  it('reads the symbolizer\'s disassembly: addresses, lengths, places', () => {
    assert.deepEqual(tiny.instructions[3], { file: MALLOC, line: 1270, address: 0x41fadfn, length: 10, text: 'MOVL $0x0, 0xf0(DX)' });
  });

  it('takes the first instruction of c.tinyAllocs++ in each function, read from the runtime\'s source', () => {
    assert.deepEqual(tinyMergeAddresses([tiny, mcommoninit], sourceLine), [0x41fadbn]);
    assert.deepEqual(tinyMergeAddresses([tiny], () => undefined), [], 'no sources, no guess');
  });

  it('takes the return address of every allocating call in the system-stack allocators only', () => {
    // newobject and makeslice in mcommoninit (malg is a call to another such function, not an allocation);
    // newstack is not one of those functions.
    assert.deepEqual(systemStackCallReturns([tiny, mcommoninit, newstack]), [0x44eb28n, 0x44ecb1n]);
  });

  it('disassembles the functions that can hold either kind of site, and no others', () => {
    const pattern = new RegExp(SITE_FUNCTIONS);
    for (const name of ['runtime.mallocgc', 'runtime.mallocgcTiny', 'runtime.mallocgcTinySC2', 'runtime.mallocgcTinySlowPath', 'runtime.mallocTiny3', 'runtime.mallocgcTinySize15', 'runtime.malg', 'runtime.newproc1', 'runtime.procresize']) {
      assert.match(name, pattern);
    }
    for (const name of ['runtime.mallocgcSmallNoScanSC2', 'runtime.mallocgcLarge', 'runtime.newproc', 'main.malg', 'runtime.malgx']) {
      assert.doesNotMatch(name, pattern);
    }
  });
});
