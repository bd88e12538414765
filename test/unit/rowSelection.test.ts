import * as assert from 'node:assert/strict';
import { describeSelection, selectRows, textMatcher } from '../../src/core/rowSelection';

interface Row { loc: string; fn: string; count: number }
const rows: Row[] = [
  { loc: 'main.go:12', fn: 'main.main', count: 5 },
  { loc: 'main.go:7', fn: 'main.fill', count: 40 },
  { loc: 'pkg/a.go:3', fn: 'pkg.Make', count: 5 },
  { loc: '(runtime init)', fn: '', count: 12 },
];
const pick = (sel: { top?: number; filter?: string }) => selectRows(rows, (r) => [r.loc, r.fn], (r) => r.count, sel).rows.map((r) => r.loc);

describe('rowSelection', () => {
  it('matches a valid pattern as a case-insensitive regular expression', () => {
    const m = textMatcher('^main\\.go:1\\d$');
    assert.equal(m.kind, 'regex');
    assert.equal(m.test('main.go:12'), true);
    assert.equal(m.test('main.go:7'), false);
    assert.equal(textMatcher('MAIN').test('main.fill'), true);
  });

  it('matches an invalid expression as plain text, so a call can be pasted as written', () => {
    const m = textMatcher('make(map');
    assert.equal(m.kind, 'substring');
    assert.equal(m.test('x := MAKE(map[int]int)'), true);
    assert.equal(m.test('make([]int, 3)'), false);
  });

  it('keeps the rows whose location or function matches, in order', () => {
    assert.deepEqual(pick({ filter: 'main' }), ['main.go:12', 'main.go:7']);
    assert.deepEqual(pick({ filter: 'Make' }), ['pkg/a.go:3']);
    assert.deepEqual(pick({ filter: 'nothing here' }), []);
  });

  it('keeps the top N by count; equal counts keep their order', () => {
    assert.deepEqual(pick({ top: 3 }), ['main.go:7', '(runtime init)', 'main.go:12']);
    assert.deepEqual(pick({ top: 99 }).length, 4);
    assert.deepEqual(pick({ top: 1, filter: '\\.go' }), ['main.go:7']);
  });

  it('says what was cut, and nothing when nothing was', () => {
    assert.equal(describeSelection(4, 4, {}), '');
    assert.equal(describeSelection(2, 734, { top: 2, filter: 'make(' }), 'showing 2 of 734 rows (--filter "make(" (substring), --top 2); the total below is the whole report\'s');
  });
});
