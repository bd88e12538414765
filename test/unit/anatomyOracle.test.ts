import * as assert from 'node:assert/strict';
import { disagreements, heapObjectSize, impliedHeapBytes, ProgramFacts } from '../../scripts/anatomyOracle';

// The size classes as MemStats.BySize lists them (a prefix is enough for these cases).
const sizeClasses = [0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 18432];
const go126 = { go: 'go1.26.8', sizeClasses };
const go119 = { go: 'go1.19.8', sizeClasses };

describe('anatomyOracle: what TotalAlloc is charged for an object', () => {
  it('rounds small objects up to their size class', () => {
    assert.equal(heapObjectSize(48, true, go126), 48);
    assert.equal(heapObjectSize(136, false, go126), 144);
    assert.equal(heapObjectSize(17408, false, go126), 18432);
  });

  it('adds the malloc header to scanned objects above 512 bytes from Go 1.22 on', () => {
    assert.equal(heapObjectSize(1024, true, go126), 1152);
    assert.equal(heapObjectSize(1024, false, go126), 1024);
    assert.equal(heapObjectSize(1024, true, go119), 1024);
  });

  it('rounds large objects to whole pages, and cannot tell tiny or unlisted sizes', () => {
    assert.equal(heapObjectSize(40896, false, go119), 40960);
    assert.equal(heapObjectSize(32765, false, go126), 32768, 'above 32760 bytes Go 1.22+ allocates a large object');
    assert.equal(heapObjectSize(8, false, go126), undefined);
    assert.equal(heapObjectSize(8, true, go126), 8);
    assert.equal(heapObjectSize(20000, false, go126), undefined);
  });

  it('sums parts, or gives up on one it cannot tell', () => {
    assert.equal(impliedHeapBytes([{ bytes: 48, scan: true }, { bytes: 17408 }], go126), 48 + 18432);
    assert.equal(impliedHeapBytes([{ bytes: 48, scan: true }, { bytes: 3 }], go126), undefined);
  });

  it('reports count and bytes disagreements', () => {
    const facts: ProgramFacts = { ...go126, rows: [{ id: 'r', mallocs: 2, bytes: 48 + 144 }], mapGroupSize: 136, intSize: 8, pointSize: 16, concatLen: 0, bytesCap: 0 };
    assert.deepEqual(disagreements('r', { count: 2, parts: [{ bytes: 48, scan: true }, { bytes: 136 }] }, facts), []);
    assert.equal(disagreements('r', { count: 1, parts: [{ bytes: 48, scan: true }] }, facts).length, 2);
    assert.match(disagreements('r', { count: 2, parts: [{ bytes: 48, scan: true }, { bytes: 200 }] }, facts)[0], /round to 256/);
    assert.throws(() => disagreements('nope', { count: 0, parts: [] }, facts), /no row nope/);
  });
});
