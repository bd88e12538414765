import * as assert from 'node:assert/strict';
import { layoutForGo, mapPartOf } from '../../src/core/mapAnatomy';
import { lineParts, mapLayoutOf } from '../../src/core/lineParts';
import { classicMapLine, path, swissMapLine } from './uiFixtures';

const parts = (line = swissMapLine(), go?: string) => lineParts(line, go).map((p) => [p.label, p.count, p.bytes]);

describe('map anatomy in the editor', () => {
  it('picks the layout from the Go version: swiss from 1.24', () => {
    assert.equal(layoutForGo('go1.19.8'), 'classic');
    assert.equal(layoutForGo('go1.23.4'), 'classic');
    assert.equal(layoutForGo('go1.24.0'), 'swiss');
    assert.equal(layoutForGo('go1.27.3'), 'swiss');
    assert.equal(layoutForGo('devel'), undefined);
  });

  describe('from call paths (any report)', () => {
    it('names a swiss map\'s directory, tables and group arrays, in build order', () => {
      assert.deepEqual(parts(), [['directory', 1, 16], ['table', 2, 64], ['groups', 2, 34816]]);
      assert.equal(mapLayoutOf(lineParts(swissMapLine())), 'swiss');
    });

    it('names a classic map\'s bucket array, and says when hmap and mapextra share one path', () => {
      assert.deepEqual(parts(classicMapLine(), 'go1.19.8'), [['buckets', 1, 40896], ['hmap + mapextra', 2, 72]]);
    });

    it('tells a lone classic hmap from a mapextra by size', () => {
      const hmap = { ...classicMapLine(), count: 1, bytes: 48, paths: [path(['runtime.makemap_small', 'runtime.newobject', 'runtime.mallocgc'], 1, 48)] };
      assert.deepEqual(parts(hmap, 'go1.19.8'), [['hmap', 1, 48]]);
      assert.equal(mapPartOf({ frames: ['runtime.makemap', 'runtime.newobject', 'runtime.mallocgc'], bytesEach: 24 }), 'mapextra');
      assert.equal(mapPartOf({ frames: ['runtime.mapassign_fast64', 'runtime.(*hmap).newoverflow', 'runtime.newobject'] }), 'overflow');
    });

    it('on a swiss runtime, the header path is the Map even when NewMap was inlined away', () => {
      assert.equal(mapPartOf({ frames: ['runtime.makemap', 'runtime.newobject', 'runtime.mallocgc'], layout: 'swiss' }), 'Map');
      assert.equal(mapPartOf({ frames: ['runtime.makemap_small', 'maps.NewEmptyMap', 'runtime.newobject'] }), 'Map');
    });

    it('leaves other allocations to their call path', () => {
      const line = { ...swissMapLine(), paths: [path(['fmt.Sprintf', 'fmt.(*pp).doPrintf', 'runtime.mallocgc'], 1, 16)] };
      assert.deepEqual(parts(line), [['fmt.Sprintf → fmt.(*pp).doPrintf', 1, 16]]);
      assert.equal(mapLayoutOf(lineParts(line)), undefined);
    });
  });

  describe('from inspected allocations (line scope)', () => {
    const frames = ['runtime.makemap', 'maps.NewMap'];
    const inspected = {
      ...swissMapLine(),
      allocations: [
        { bytes: 16, frames: [...frames, 'runtime.makeslice'], kind: 'swissmap.directory', type: '*maps.table', elements: 2, scan: true },
        { bytes: 32, frames: [...frames, 'maps.newTable'], kind: 'swissmap.table', type: 'maps.table', scan: true },
        { bytes: 17408, frames: [...frames, 'maps.newGroups'], kind: 'swissmap.groups', type: 'map.group[int]int', elements: 128, scan: false },
        { bytes: 32, frames: [...frames, 'maps.newTable'], kind: 'swissmap.table', type: 'maps.table', scan: true },
        { bytes: 17408, frames: [...frames, 'maps.newGroups'], kind: 'swissmap.groups', type: 'map.group[int]int', elements: 128, scan: false },
      ],
    };

    it('groups them by part in the order they happened, with their facts', () => {
      const got = lineParts(inspected, 'go1.26.8');
      assert.deepEqual(got.map((p) => [p.label, p.count, p.bytes]), [['directory', 1, 16], ['table', 2, 64], ['groups', 2, 34816]]);
      assert.ok(got.every((p) => p.inspected));
      assert.deepEqual(got[0].details, ['2 table pointers'], 'a directory\'s type is always []*maps.table: not repeated');
      assert.deepEqual(got[2].details, ['map.group[int]int', '128 groups each', 'noscan']);
    });

    it('counts a classic bucket array\'s preallocated overflow buckets', () => {
      const line = { ...classicMapLine(), allocations: [{ bytes: 40896, frames: ['runtime.makemap', 'runtime.makeBucketArray'], kind: 'map.buckets', type: 'map.bucket[int]int', elements: 284, overflow: 28, scan: false }] };
      const [buckets] = lineParts(line, 'go1.19.8');
      assert.equal(buckets.label, 'buckets');
      assert.deepEqual(buckets.details, ['map.bucket[int]int', '284 buckets (256 + 28 preallocated overflow)', 'noscan']);
    });

    it('labels non-map kinds and shows facts it does not know by name', () => {
      const line = {
        ...swissMapLine(),
        allocations: [
          { bytes: 8192, frames: ['runtime.growslice'], kind: 'slice.grow', type: 'int', elements: 1024, oldCap: 512, scan: false, reason: 'append' },
          { bytes: 8, frames: ['runtime.mallocgc'], kind: 'brand-new-kind' },
        ],
      };
      const got = lineParts(line);
      assert.deepEqual(got.map((p) => p.label), ['slice growth', 'brand-new-kind']);
      assert.deepEqual(got[0].details, ['int', '1024 elements', 'grown from capacity 512', 'noscan', 'reason: append']);
    });
  });
});
