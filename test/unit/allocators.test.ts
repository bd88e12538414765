import * as assert from 'node:assert/strict';
import { allocatorsFor, isAllocatorFrame, isNestedAllocatorHit } from '../../src/core/allocators';

const go = (minor: number, patch = 0) => ({ major: 1, minor, patch });

/** The size-class leaves Go 1.24 split mallocgc into (runtime/malloc.go). */
const LEAVES = [
  'runtime.mallocgcTiny',
  'runtime.mallocgcSmallNoscan',
  'runtime.mallocgcSmallScanNoHeader',
  'runtime.mallocgcSmallScanHeader',
  'runtime.mallocgcLarge',
];

describe('allocators', () => {
  describe('allocatorsFor', () => {
    for (const minor of [18, 19, 21, 23]) {
      it(`Go 1.${minor}: only runtime.mallocgc, which also sees size 0`, () => {
        assert.deepEqual(allocatorsFor(go(minor, 5)), { functions: ['runtime.mallocgc'], sizeZeroPossible: true });
      });
    }

    for (const minor of [24, 25]) {
      it(`Go 1.${minor}: the five split leaves, no mallocgc, no size 0`, () => {
        const set = allocatorsFor(go(minor));
        assert.deepEqual([...set.functions].sort(), [...LEAVES].sort());
        assert.equal(set.sizeZeroPossible, false);
      });
    }

    it('Go 1.24.0 exactly is already split', () => {
      assert.ok(!allocatorsFor(go(24, 0)).functions.includes('runtime.mallocgc'));
    });

    for (const minor of [26, 27, 28]) {
      it(`Go 1.${minor}: split leaves plus the size-specialized entry points`, () => {
        const set = allocatorsFor(go(minor));
        const fns = new Set(set.functions);
        assert.equal(set.sizeZeroPossible, false);
        assert.ok(!fns.has('runtime.mallocgc'), 'mallocgc must not be a breakpoint once leaves are');
        for (const leaf of LEAVES) assert.ok(fns.has(leaf), leaf);
        assert.ok(fns.has('runtime.mallocgcTinySC2'));
        for (let n = 2; n <= 7; n++) assert.ok(fns.has(`runtime.mallocgcSmallNoScanSC${n}`), `SmallNoScanSC${n}`);
        for (let n = 1; n <= 7; n++) assert.ok(fns.has(`runtime.mallocgcSmallScanNoHeaderSC${n}`), `SmallScanNoHeaderSC${n}`);
        // Size class 26 is 512 bytes, the largest object without a malloc header on 64-bit.
        assert.ok(fns.has('runtime.mallocgcSmallNoScanSC26'));
        assert.ok(fns.has('runtime.mallocgcSmallScanNoHeaderSC26'));
        if (minor === 26) {
          // Go 1.26 GOEXPERIMENT=sizespecializedmalloc names the tiny entries mallocTiny1..15.
          assert.ok(fns.has('runtime.mallocTiny1'));
          assert.ok(fns.has('runtime.mallocTiny15'));
        }
      });
    }

    it('never names a *SlowPath helper, a duplicate, or a non-runtime function', () => {
      const set = allocatorsFor(go(27));
      assert.equal(set.functions.filter((f) => /SlowPath/.test(f)).length, 0);
      assert.equal(new Set(set.functions).size, set.functions.length);
      for (const f of set.functions) assert.match(f, /^runtime\.malloc\w+$/);
    });

    it('has no SmallNoScanSC1 (class 1 noscan objects go to the tiny allocator) and nothing past class 26', () => {
      const fns = allocatorsFor(go(27)).functions;
      assert.ok(!fns.includes('runtime.mallocgcSmallNoScanSC1'));
      assert.ok(!fns.includes('runtime.mallocgcSmallNoScanSC27'));
      assert.ok(!fns.includes('runtime.mallocgcSmallScanNoHeaderSC0'));
      assert.ok(!fns.includes('runtime.mallocgcSmallScanNoHeaderSC27'));
    });

    it('returns a fresh list each time', () => {
      const a = allocatorsFor(go(26));
      a.functions.length = 0;
      assert.ok(allocatorsFor(go(26)).functions.length > 0);
    });
  });

  describe('isAllocatorFrame', () => {
    it('matches names in the set exactly', () => {
      const old = allocatorsFor(go(23));
      assert.equal(isAllocatorFrame('runtime.mallocgc', old), true);
      assert.equal(isAllocatorFrame('runtime.mallocgcTiny', old), false);
      assert.equal(isAllocatorFrame('runtime.newobject', old), false);
      const split = allocatorsFor(go(25));
      assert.equal(isAllocatorFrame('runtime.mallocgc', split), false);
      assert.equal(isAllocatorFrame('runtime.mallocgcLarge', split), true);
    });
  });

  describe('isNestedAllocatorHit', () => {
    const split = allocatorsFor(go(26));
    const old = allocatorsFor(go(22));

    it('is false for an ordinary hit through mallocgc (Go 1.24+)', () => {
      assert.equal(isNestedAllocatorHit(['runtime.mallocgcSmallNoscan', 'runtime.mallocgc', 'runtime.makeslice', 'main.main'], split), false);
    });

    it('is false for a direct call of a specialized leaf', () => {
      assert.equal(isNestedAllocatorHit(['runtime.mallocgcSmallScanNoHeaderSC3', 'main.main'], split), false);
    });

    it('is true when a leaf is entered from another leaf', () => {
      assert.equal(isNestedAllocatorHit(['runtime.mallocgcSmallNoscan', 'runtime.mallocgcTinySC2', 'main.main'], split), true);
      assert.equal(isNestedAllocatorHit(['runtime.mallocgcLarge', 'runtime.foo', 'runtime.mallocgcSmallScanHeader', 'main.main'], split), true);
    });

    it('looks only below frame 0', () => {
      assert.equal(isNestedAllocatorHit(['runtime.mallocgc'], old), false);
      assert.equal(isNestedAllocatorHit([], old), false);
      assert.equal(isNestedAllocatorHit(['runtime.mallocgc', 'runtime.newobject', 'main.main'], old), false);
      assert.equal(isNestedAllocatorHit(['runtime.mallocgc', 'runtime.mallocgc'], old), true);
    });
  });
});
