import * as assert from 'node:assert/strict';
import { renderTable } from '../../src/core/table';

describe('table', () => {
  it('pads left columns, right-aligns numbers and separates columns by two spaces', () => {
    const out = renderTable([{ header: 'NAME' }, { header: 'N', align: 'right' }], [['a', '1'], ['bbb', '100']]);
    assert.equal(out, ['NAME    N', 'a       1', 'bbb   100'].join('\n'));
  });

  it('widens a column to its longest cell or header', () => {
    const out = renderTable([{ header: 'X' }, { header: 'COUNT', align: 'right' }, { header: 'Y' }], [['longer', '5', 'z']]);
    const [header, row] = out.split('\n');
    assert.equal(header, 'X       COUNT  Y');
    assert.equal(row, 'longer      5  z');
  });

  it('right-aligned cells all end at the same column', () => {
    const rows = [['a', '1'], ['b', '22'], ['c', '1,000,000']];
    const lines = renderTable([{ header: 'K' }, { header: 'VALUE', align: 'right' }], rows).split('\n');
    const widths = new Set(lines.map((l) => l.length));
    assert.equal(widths.size, 1, JSON.stringify(lines));
  });

  it('trims trailing spaces from each line (left-aligned last column)', () => {
    const out = renderTable([{ header: 'A' }, { header: 'B' }], [['x', 'y'], ['long', '']]);
    assert.deepEqual(out.split('\n'), ['A     B', 'x     y', 'long']);
    for (const line of out.split('\n')) assert.equal(line, line.trimEnd());
  });

  it('treats missing cells as empty', () => {
    const out = renderTable([{ header: 'A' }, { header: 'B', align: 'right' }, { header: 'C' }], [['1']]);
    assert.deepEqual(out.split('\n'), ['A  B  C', '1']);
  });

  it('renders only the header line when there are no rows', () => {
    assert.equal(renderTable([{ header: 'LOCATION' }, { header: 'COUNT', align: 'right' }], []), 'LOCATION  COUNT');
  });
});
