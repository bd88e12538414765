import * as assert from 'node:assert/strict';
import { AnatomyRecord, calledFunction, describeAllocation, describeElements, renderAnatomyTable, renderStatementAnatomy } from '../../src/core/anatomyText';
import type { MallocReport } from '../../src/core/report';

const part = (fields: Partial<AnatomyRecord> & { bytes: number }): AnatomyRecord => ({ frames: ['runtime.makemap'], ...fields });

describe('anatomyText: a statement\'s allocations for people', () => {
  it('describes the elements by kind', () => {
    assert.equal(describeElements(part({ kind: 'map.buckets', bytes: 40896, elements: 284, overflow: 28 })), '284 buckets (28 preallocated overflow)');
    assert.equal(describeElements(part({ kind: 'map.buckets', bytes: 144, elements: 1, overflow: 0 })), '1 bucket');
    assert.equal(describeElements(part({ kind: 'swissmap.groups', bytes: 17408, elements: 128 })), '128 groups (1,024 slots)');
    assert.equal(describeElements(part({ kind: 'slice.grow', bytes: 6784, elements: 848, oldCap: 512 })), 'cap 512 → 848');
    assert.equal(describeElements(part({ kind: 'slice.grow', bytes: 16, elements: 2 })), 'cap → 2');
    assert.equal(describeElements(part({ kind: 'new', bytes: 16 })), '');
  });

  it('phrases one allocation', () => {
    assert.equal(describeAllocation(part({ kind: 'swissmap.groups', bytes: 17408, elements: 128, type: 'map.group[int]int' })), 'map groups 17,408 B (128 × map.group[int]int)');
    assert.equal(describeAllocation(part({ kind: 'map.buckets', bytes: 40896, elements: 284, overflow: 28, type: 'map.bucket[int]int' })),
      'map buckets 40,896 B (284 × map.bucket[int]int, 28 preallocated overflow)');
    assert.equal(describeAllocation(part({ kind: 'slice.grow', bytes: 16, elements: 2, oldCap: 1, type: 'int' })), 'slice growth 16 B (cap 1 → 2, int)');
    assert.equal(describeAllocation(part({ kind: 'string.concat', bytes: 27, elements: 27 })), 'string (concatenation) 27 B');
    assert.equal(describeAllocation(part({ bytes: 8 })), 'unclassified 8 B');
  });

  it('names the library function an allocation happened in, not the runtime\'s', () => {
    assert.equal(calledFunction(part({ bytes: 9, frames: ['strconv.Itoa', 'strconv.formatBits', 'runtime.slicebytetostring'] })), 'strconv.Itoa');
    assert.equal(calledFunction(part({ bytes: 48 })), undefined);
  });

  it('renders the ordered table and the prediction under it', () => {
    const allocations = [
      part({ kind: 'swissmap.directory', bytes: 16, elements: 2, type: '*maps.table' }),
      part({ kind: 'swissmap.table', bytes: 32, type: 'maps.table' }),
    ];
    assert.match(renderAnatomyTable(allocations), /^ *# +KIND +BYTES +TYPE +ELEMENTS +IN\n *1 +map directory +16 +\*maps\.table +2 tables\n *2 +map table +32 +maps\.table$/);
    const report = {
      go: 'go1.26.8', delve: '1.27.2', buildFlags: '', scope: 'line', warnings: [],
      statement: { file: '/p/main.go', line: 7, reached: true },
      lines: [{ file: '/p/main.go', line: 7, function: 'main.main', count: 2, bytes: 48, paths: [], allocations }],
      unattributed: { count: 0, bytes: 0, buckets: [] }, total: { count: 2, bytes: 48 },
      prediction: { verdict: 'stack', agrees: false, note: 'nothing escapes by the compiler\'s account, yet the statement allocated 2 times, through runtime.makemap',
        messages: [{ file: '/p/main.go', line: 7, column: 6, subject: 'make(map[int]int, 1000)', verdict: 'does not escape' }] },
    } as MallocReport;
    const text = renderStatementAnatomy(report, '/p');
    assert.match(text, /^main\.go:7 main\.main: 2 allocations, 48 B, in order:\n/);
    assert.match(text, /\nescape analysis: make\(map\[int\]int, 1000\) does not escape — disagrees: .*through runtime\.makemap$/);
    const none = renderStatementAnatomy({ ...report, lines: [], prediction: { verdict: 'stack', agrees: true, messages: [] } }, '/p');
    assert.equal(none, 'main.go:7: no heap allocation\nescape analysis: no escape verdict on this statement — agrees with the measurement');
  });
});
