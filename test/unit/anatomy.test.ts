import * as assert from 'node:assert/strict';
import { AllocationFacts, classifyAllocation, findOperation, isClosureType, oldCapacity, runtimeSegment } from '../../src/core/anatomy';
import type { RuntimeType } from '../../src/core/anatomyType';
import type { StackFrame } from '../../src/core/attribution';

const GOROOT = '/usr/local/go/src';
/** Frames as Delve names them, innermost first; the file decides what is runtime code. */
const rt = (name: string, file = 'runtime/malloc.go'): StackFrame => ({ name, path: `${GOROOT}/${file}`, line: 1 });
const maps = (name: string): StackFrame => rt(name, 'internal/runtime/maps/map.go');
const lib = (name: string, file: string): StackFrame => ({ name, path: `${GOROOT}/${file}`, line: 1 });
const user: StackFrame = { name: 'main.main', path: '/home/u/p/main.go', line: 12 };
const type = (name: string, size: number, pointers = false): RuntimeType => ({ name, size, pointers });

function classify(frames: StackFrame[], facts: Partial<AllocationFacts> & { size: number }) {
  return classifyAllocation([...frames, user, rt('runtime.main', 'runtime/proc.go')], facts);
}

describe('anatomy: what an allocation is', () => {
  describe('classic maps (Go 1.19)', () => {
    const leaf = rt('runtime.mallocgc');
    it('header, buckets with their preallocated overflow, mapextra', () => {
      const bucket = type('map.bucket[int]int', 144);
      assert.deepEqual(classify([leaf, rt('runtime.newobject'), rt('runtime.makemap')], { size: 48, type: type('runtime.hmap', 48, true) }),
        { kind: 'map.header', type: 'runtime.hmap', scan: true });
      assert.deepEqual(classify([leaf, rt('runtime.newarray'), rt('runtime.makeBucketArray'), rt('runtime.makemap')], { size: 284 * 144, type: bucket }),
        { kind: 'map.buckets', type: 'map.bucket[int]int', elements: 284, overflow: 28, scan: false });
      assert.deepEqual(classify([leaf, rt('runtime.newobject'), rt('runtime.makemap')], { size: 24, type: type('runtime.mapextra', 24, true) }),
        { kind: 'map.extra', type: 'runtime.mapextra', scan: true });
    });

    it('a bucket array below 16 buckets has no overflow; the lazily made first bucket is one', () => {
      const bucket = type('map.bucket[int]int', 144);
      const grown = classify([leaf, rt('runtime.newarray'), rt('runtime.makeBucketArray'), rt('runtime.hashGrow'), rt('runtime.mapassign_fast64')], { size: 288, type: bucket });
      assert.deepEqual([grown.kind, grown.elements, grown.overflow], ['map.buckets', 2, 0]);
      const first = classify([leaf, rt('runtime.newobject'), rt('runtime.mapassign_fast64')], { size: 144, type: bucket });
      assert.deepEqual([first.kind, first.elements], ['map.buckets', 1]);
    });

    it('overflow buckets, and the overflow list\'s own growth, belong to the map', () => {
      const bucket = type('map.bucket[int]int', 144);
      assert.equal(classify([leaf, rt('runtime.newobject'), rt('runtime.(*hmap).newoverflow'), rt('runtime.mapassign_fast64')], { size: 144, type: bucket }).kind, 'map.overflow');
      assert.equal(classify([leaf, rt('runtime.growslice'), rt('runtime.(*hmap).newoverflow'), rt('runtime.mapassign_fast64')], { size: 8, type: type('*runtime.bmap', 8, true) }).kind, 'map.extra');
      assert.equal(classify([leaf, rt('runtime.newobject'), rt('runtime.(*hmap).createOverflow'), rt('runtime.(*hmap).newoverflow'), rt('runtime.mapassign_fast64')], { size: 24, type: type('[]*runtime.bmap', 24, true) }).kind, 'map.extra');
    });
  });

  describe('swiss maps (Go 1.24+)', () => {
    const leaf = rt('runtime.mallocgcSmallScanNoHeader');
    const chain = (...inner: StackFrame[]) => [leaf, rt('runtime.mallocgc'), ...inner, maps('maps.NewMap'), rt('runtime.makemap')];
    it('header, directory, table, groups', () => {
      assert.equal(classify(chain(rt('runtime.newobject')), { size: 48, type: type('maps.Map', 48, true) }).kind, 'swissmap.header');
      assert.deepEqual(classify(chain(rt('runtime.makeslice')), { size: 16, type: type('*maps.table', 8, true) }),
        { kind: 'swissmap.directory', type: '*maps.table', elements: 2, scan: true });
      assert.equal(classify(chain(rt('runtime.newobject'), maps('maps.newTable')), { size: 32, type: type('maps.table', 32, true) }).kind, 'swissmap.table');
      assert.deepEqual(classify(chain(rt('runtime.newarray'), maps('maps.newarray'), maps('maps.newGroups'), maps('maps.(*table).reset'), maps('maps.newTable')), { size: 17408, type: type('map.group[int]int', 136) }),
        { kind: 'swissmap.groups', type: 'map.group[int]int', elements: 128, scan: false });
    });

    it('growth on insert is still the map\'s (the runtime.mapassign names are linknamed into the maps package)', () => {
      const frames = [leaf, rt('runtime.mallocgc'), rt('runtime.newarray'), maps('maps.newarray'), maps('maps.newGroups'), maps('maps.(*Map).growToSmall'), { name: 'runtime.mapassign_fast64', path: `${GOROOT}/internal/runtime/maps/runtime_fast64.go`, line: 1 }];
      assert.equal(findOperation([...frames, user]).operation, 'map');
      assert.deepEqual(classify(frames, { size: 136, type: type('map.group[int]int', 136) }).elements, 1);
    });
  });

  describe('slices', () => {
    it('make: the backing array, elements from the element type', () => {
      assert.deepEqual(classify([rt('runtime.mallocgcSmallNoscan'), rt('runtime.mallocgc'), rt('runtime.makeslice')], { size: 8000, type: type('int', 8) }),
        { kind: 'slice.make', type: 'int', elements: 1000, scan: false });
    });

    it('growth: elements from growslice\'s et when typ is nil, or from its newcap when et is unreadable', () => {
      const frames = [rt('runtime.mallocgcSmallNoscan'), rt('runtime.mallocgc'), rt('runtime.growslice')];
      assert.deepEqual(classify(frames, { size: 6784, elementType: type('int', 8), oldLen: 512, newLen: 513 }),
        { kind: 'slice.grow', type: 'int', elements: 848, oldCap: 512, scan: false });
      assert.deepEqual(classify(frames, { size: 16, newCap: 2 }), { kind: 'slice.grow', elements: 2, scan: false });
      assert.deepEqual(classify(frames, { size: 16 }), { kind: 'slice.grow', scan: false });
    });

    it('the old capacity is known only when one element was appended', () => {
      assert.equal(oldCapacity({ oldLen: 4, newLen: 5 }), 4);
      assert.equal(oldCapacity({ oldLen: 4, newLen: 9 }), undefined, 'appending several: the capacity may have exceeded the length');
      assert.equal(oldCapacity({ oldLen: 4 }), undefined);
    });

    it('growth inside a library call is slice growth, and the runtime segment ends at the library', () => {
      const frames = [rt('runtime.mallocgc'), rt('runtime.growslice'), lib('bytes.growSlice', 'bytes/buffer.go'), lib('bytes.(*Buffer).grow', 'bytes/buffer.go'), user];
      assert.equal(runtimeSegment(frames).length, 2);
      assert.equal(classifyAllocation(frames, { size: 64 }).kind, 'slice.grow');
    });
  });

  describe('everything else', () => {
    const leaf = rt('runtime.mallocgc');
    it('strings, interface boxing, channels', () => {
      assert.deepEqual(classify([leaf, rt('runtime.rawstring'), rt('runtime.rawstringtmp'), rt('runtime.concatstrings'), rt('runtime.concatstring3')], { size: 27 }),
        { kind: 'string.concat', elements: 27, scan: false });
      assert.equal(classify([leaf, rt('runtime.rawbyteslice'), rt('runtime.stringtoslicebyte')], { size: 32 }).kind, 'string.convert');
      assert.equal(classify([leaf, rt('runtime.slicebytetostring'), lib('strconv.FormatInt', 'strconv/itoa.go')], { size: 9 }).kind, 'string.convert');
      assert.deepEqual(classify([leaf, rt('runtime.convT64')], { size: 8, type: type('runtime.uint64InterfacePtr', 8) }),
        { kind: 'interface', type: 'runtime.uint64InterfacePtr', scan: false });
      assert.equal(classify([leaf, rt('runtime.makechan')], { size: 144 }).kind, 'channel');
    });

    it('closures and new objects, through newobject or called directly (Go 1.27)', () => {
      const closure = type('struct { F uintptr; X0 int }', 16);
      assert.equal(classify([leaf, rt('runtime.newobject')], { size: 16, type: closure }).kind, 'closure');
      assert.equal(classify([rt('runtime.mallocgcSmallNoScanSC2')], { size: 16, type: closure }).kind, 'closure');
      assert.deepEqual(classify([rt('runtime.mallocgcSmallNoScanSC2')], { size: 16, type: type('main.point', 16) }),
        { kind: 'new', type: 'main.point', scan: false });
      assert.deepEqual(classify([rt('runtime.mallocgcTinySC2')], { size: 8 }), { kind: 'new', scan: false });
      assert.equal(isClosureType('struct { F uintptr }'), true);
      assert.equal(isClosureType('struct { F uintptr; local int }'), true);
      assert.equal(isClosureType('struct { Fx uintptr }'), false);
    });

    it('a goroutine, even when Delve loses the frames on the system stack', () => {
      assert.equal(classify([leaf, rt('runtime.systemstack_switch', 'runtime/asm_amd64.s'), rt('runtime.newproc', 'runtime/proc.go')], { size: 392, type: type('runtime.g', 392, true) }).kind, 'goroutine');
      assert.equal(classify([leaf, rt('runtime.newobject'), rt('runtime.malg', 'runtime/proc.go'), rt('runtime.newproc1', 'runtime/proc.go'), rt('runtime.systemstack'), rt('runtime.newproc', 'runtime/proc.go')], { size: 456 }).kind, 'goroutine');
    });

    it('an unrecognised runtime path is other, with its type', () => {
      assert.deepEqual(classify([leaf, rt('runtime.persistentalloc'), rt('runtime.somethingElse')], { size: 64, type: type('runtime.itab', 64, true) }),
        { kind: 'other', type: 'runtime.itab', scan: true });
    });

    it('a user package named maps is not the runtime\'s (files decide, not names)', () => {
      const userMaps: StackFrame = { name: 'maps.NewMap', path: '/home/u/p/maps/maps.go', line: 3 };
      assert.equal(findOperation([leaf, rt('runtime.newobject'), userMaps, user]).operation, 'newobject');
    });
  });
});
