import * as assert from 'node:assert/strict';
import { escapeSection, renderLineHover } from '../../src/core/lineHover';
import { classicMapLine, lineReport, MAIN, report, swissMapLine } from './uiFixtures';

describe('line hover (Markdown)', () => {
  it('states count, bytes and the scope of a statement count', () => {
    const md = renderLineHover({ line: swissMapLine(), report: lineReport([swissMapLine()], 6), source: 'count mallocs · main.go:6', makes: 'map' });
    assert.match(md, /^\*\*5 allocs · 34\.1 KiB\*\* · first execution of this statement$/m);
    assert.match(md, /_go1\.26\.8 · Delve 1\.27\.2 · debug build \(-gcflags=all=-N -l\) · count mallocs · main\.go:6_$/m);
  });

  it('gives a run line its share of the run', () => {
    const other = { ...classicMapLine(8), count: 95, bytes: 1000, paths: [] };
    const md = renderLineHover({ line: swissMapLine(), report: report([swissMapLine(), other]), source: 'Launch' });
    assert.match(md, /· 5% of the run's 100 allocs/);
  });

  it('shows a swiss map\'s anatomy with the header off the heap when it was not allocated', () => {
    const md = renderLineHover({ line: swissMapLine(), report: lineReport([swissMapLine()], 6), source: 's', makes: 'map' });
    assert.match(md, /\*\*Swiss map\*\* · 5 allocs · 34\.1 KiB/);
    const rows = md.split('\n').filter((l) => l.startsWith('| **'));
    assert.deepEqual(rows, [
      '| **Map** | 0 | — | header, maps.Map · not on the heap |',
      '| **directory** | 1 | 16\u00a0B | table directory, []*maps.table |',
      '| **table** | 2 | 64\u00a0B | table header, maps.table |',
      '| **groups** | 2 | 34.0\u00a0KiB | group array, 8 slots a group |',
    ]);
  });

  it('shows a classic map from Go ≤ 1.23 in its own terms', () => {
    const r = lineReport([classicMapLine()], 6, true, { go: 'go1.19.8' });
    const md = renderLineHover({ line: classicMapLine(), report: r, source: 's', makes: 'map' });
    assert.match(md, /\*\*Classic map \(hmap\)\*\*/);
    assert.match(md, /\| \*\*buckets\*\* \| 1 \| 39\.9\u00a0KiB \| bucket array \|/);
    assert.doesNotMatch(md, /not on the heap/, 'hmap and mapextra share a path here: the header may be among them');
  });

  it('says a make(map) that allocated nothing kept its header off the heap', () => {
    const zero = { file: MAIN, line: 9, function: '', count: 0, bytes: 0, paths: [] };
    const md = renderLineHover({ line: zero, report: lineReport([], 9), source: 's', makes: 'map' });
    assert.match(md, /^\*\*0 allocs\*\*/);
    assert.match(md, /\| \*\*Map\*\* \| 0 \| — \| header, maps\.Map · not on the heap \|/);
  });

  it('lists inspected allocations of any other statement by kind, with their facts', () => {
    const line = {
      file: MAIN, line: 14, function: 'main.main', count: 1, bytes: 8192, paths: [],
      allocations: [{ bytes: 8192, frames: ['runtime.growslice', 'runtime.mallocgc'], kind: 'slice.grow', type: 'int', elements: 1024, oldCap: 512, scan: false }],
    };
    const md = renderLineHover({ line, report: lineReport([line], 14), source: 's' });
    assert.doesNotMatch(md, /map/i);
    assert.match(md, /^\| \*\*slice growth\*\* \| 1 \| 8\.0\u00a0KiB \| int · 1024 elements · grown from capacity 512 · noscan \|$/m);
  });

  it('lists the main call paths, at most three', () => {
    const md = renderLineHover({ line: swissMapLine(), report: lineReport([swissMapLine()], 6), source: 's' });
    const paths = md.split('\n').filter((l) => l.startsWith('- '));
    assert.equal(paths.length, 3);
    assert.equal(paths[0], '- `runtime.makemap → maps.NewMap → maps.newTable → maps.(*table).reset → …` · 2 allocs · 34.0 KiB');
  });

  it('shows the compiler\'s escape analysis on the counted statement, and where the count contradicts it', () => {
    const r = lineReport([swissMapLine()], 6, true, {
      prediction: {
        verdict: 'stack', agrees: false,
        messages: [{ file: MAIN, line: 6, column: 7, subject: 'make(map[int]int, 1000)', verdict: 'does not escape' }],
        note: 'nothing escapes by the compiler\'s account, yet the statement allocated 5 times, through runtime.makemap',
      },
    });
    const md = renderLineHover({ line: swissMapLine(), report: r, source: 's', makes: 'map' });
    assert.match(md, /^\*\*Escape analysis\*\* \(`-gcflags=-m`\): `make\(map\[int\]int, 1000\)` does not escape$/m);
    assert.match(md, /^Measured otherwise: nothing escapes by the compiler's account, yet the statement allocated 5 times, through runtime\.makemap\.$/m);
    assert.deepEqual(escapeSection({ ...swissMapLine(), line: 20 }, r), [], 'only on the statement\'s own lines');
    assert.deepEqual(escapeSection(swissMapLine(), report([swissMapLine()])), [], 'a run has no prediction');
  });
});
