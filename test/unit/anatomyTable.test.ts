import * as assert from 'node:assert/strict';
import { extractSection, GenerationSection, releaseKey, renderSection, replaceSection, summarizeParts } from '../../src/core/anatomyTable';
import type { AnatomyRecord } from '../../src/core/anatomyText';

const part = (fields: Partial<AnatomyRecord> & { bytes: number }): AnatomyRecord => ({ frames: [], ...fields });
const table = part({ kind: 'swissmap.table', bytes: 32, type: 'maps.table' });
const groups = part({ kind: 'swissmap.groups', bytes: 17408, elements: 128, type: 'map.group[int]int' });

describe('anatomyTable: the experiment table of docs/anatomy.md', () => {
  it('folds repeats of one to three parts', () => {
    const parts = [part({ kind: 'swissmap.directory', bytes: 16, elements: 2, type: '*maps.table' }), table, groups, table, groups];
    assert.equal(summarizeParts(parts), 'map directory 16 B (2 × *maps.table); 2 × (map table 32 B (maps.table) + map groups 17,408 B (128 × map.group[int]int))');
    assert.equal(summarizeParts([table, table, table]), '3 × map table 32 B (maps.table)');
    assert.equal(summarizeParts([]), '—');
  });

  it('reads consecutive slice growths as one chain of capacities', () => {
    const growth = (elements: number, oldCap?: number) => part({ kind: 'slice.grow', bytes: elements * 8, elements, type: 'int', ...(oldCap === undefined ? {} : { oldCap }) });
    assert.equal(summarizeParts([growth(1, 0), growth(2, 1), growth(4, 2)]), '3 × slice growth, cap 0 → 1 → 2 → 4 (56 B, int)');
    assert.equal(summarizeParts([part({ kind: 'slice.grow', bytes: 8 }), part({ kind: 'slice.grow', bytes: 16 })]), '2 × slice growth, 8 B → 16 B (24 B)');
    assert.equal(summarizeParts([growth(1)]), 'slice growth 8 B (cap 1, int)');
  });

  const section: GenerationSection = {
    key: 'go1.26', title: 'go1.26.8 · Delve 1.27.2',
    statements: [{ statement: 'sinkMap = make(map[int]int, 0)', escapes: true, build: 'debug', count: 1, bytes: 48, allocations: [part({ kind: 'swissmap.header', bytes: 48, type: 'maps.Map' })] }],
  };

  it('renders a section between markers', () => {
    const text = renderSection(section);
    assert.match(text, /^<!-- anatomy-table go1\.26 begin.*-->\n### go1\.26\.8 · Delve 1\.27\.2\n/);
    assert.match(text, /\n\| `sinkMap = make\(map\[int\]int, 0\)` \| yes \| debug \| 1 \| 48 \| map header \(swiss Map\) 48 B \(maps\.Map\) \|\n<!-- anatomy-table go1\.26 end -->$/);
  });

  it('replaces one section and leaves the others alone, or adds it before the end marker', () => {
    const other = renderSection({ ...section, key: 'go1.19', title: 'go1.19.8' });
    const doc = `intro\n\n${other}\n\n<!-- anatomy-tables end -->\n`;
    const added = replaceSection(doc, section);
    assert.equal(extractSection(added, 'go1.19'), other);
    assert.equal(extractSection(added, 'go1.26'), renderSection(section));
    const changed = replaceSection(added, { ...section, title: 'go1.26.9 · Delve 1.27.2' });
    assert.match(extractSection(changed, 'go1.26') ?? '', /go1\.26\.9/);
    assert.equal(extractSection(changed, 'go1.19'), other);
    assert.throws(() => replaceSection('no markers', section), /no section for go1\.26/);
  });

  it('keys sections by release', () => {
    assert.equal(releaseKey('go1.26.8'), 'go1.26');
    assert.equal(releaseKey('go1.27rc1'), 'go1.27');
    assert.throws(() => releaseKey('devel'));
  });
});
