import * as assert from 'node:assert/strict';
import { escapeSection, renderLineHover } from '../../src/core/lineHover';
import { mapWrites } from '../../src/core/mapPayers';
import { classicMapLine, lineReport, MAIN, path, report, swissMapLine } from './uiFixtures';

describe('line hover (Markdown)', () => {
  it('states count, bytes and the scope of a statement count', () => {
    const md = renderLineHover({ line: swissMapLine(), report: lineReport([swissMapLine()], 6), source: 'count mallocs · main.go:6', makes: 'map' });
    assert.match(md, /^\*\*first run: 5 allocs · 34\.1 KiB\*\* · first execution of this statement$/m);
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
    // An aligned table in a code block: parts in rows, numbers right-aligned under their headers.
    const block = md.slice(md.indexOf('```text\n') + 8, md.indexOf('\n```', md.indexOf('```text')));
    assert.deepEqual(block.split('\n'), [
      'part       allocs     bytes',
      'Map             0         —  header, maps.Map · not on the heap',
      'directory       1      16 B  table directory, []*maps.table',
      'table           2      64 B  table header, maps.table',
      'groups          2  34.0 KiB  group array, 8 slots a group',
    ]);
  });

  it('shows a classic map from Go ≤ 1.23 in its own terms', () => {
    const r = lineReport([classicMapLine()], 6, true, { go: 'go1.19.8' });
    const md = renderLineHover({ line: classicMapLine(), report: r, source: 's', makes: 'map' });
    assert.match(md, /\*\*Classic map \(hmap\)\*\*/);
    assert.match(md, /^buckets\s+1\s+39\.9 KiB  bucket array$/m);
    assert.doesNotMatch(md, /not on the heap/, 'hmap and mapextra share a path here: the header may be among them');
  });

  it('says a make(map) that allocated nothing kept its header off the heap', () => {
    const zero = { file: MAIN, line: 9, function: '', count: 0, bytes: 0, paths: [] };
    const md = renderLineHover({ line: zero, report: lineReport([], 9), source: 's', makes: 'map' });
    assert.match(md, /^\*\*first run: 0 allocs\*\*/);
    assert.match(md, /^Map\s+0\s+—  header, maps\.Map · not on the heap$/m);
    assert.match(md, /\*\*Nothing on the heap here\.\*\* The map does not escape, so its header and its first group \(8 slots\) live on the stack/);
  });

  it('lists inspected allocations of any other statement by kind, with their facts', () => {
    const line = {
      file: MAIN, line: 14, function: 'main.main', count: 1, bytes: 8192, paths: [],
      allocations: [{ bytes: 8192, frames: ['runtime.growslice', 'runtime.mallocgc'], kind: 'slice.grow', type: 'int', elements: 1024, oldCap: 512, scan: false }],
    };
    const md = renderLineHover({ line, report: lineReport([line], 14), source: 's' });
    assert.doesNotMatch(md, /map/i);
    // Notes past 44 characters go on a continuation row, so that no row wraps in the hover.
    assert.match(md, /^slice growth\s+1\s+8\.0 KiB  int · 1024 elements\n\s+grown from capacity 512 · noscan$/m);
  });

  it('lists the main call paths, at most three, long ones folded', () => {
    const line = {
      file: MAIN, line: 14, function: 'main.main', count: 10, bytes: 400,
      paths: [
        path(['runtime.growslice', 'runtime.mallocgc'], 4, 160),
        path(['fmt.Sprintf', 'fmt.(*pp).doPrintf', 'fmt.(*pp).printArg', 'fmt.(*pp).fmtInteger', 'runtime.convT64', 'runtime.mallocgc'], 3, 120),
        path(['strings.Repeat', 'runtime.makeslice', 'runtime.mallocgc'], 2, 80),
        path(['runtime.newobject', 'runtime.mallocgc'], 1, 40),
      ],
    };
    const md = renderLineHover({ line, report: report([line]), source: 's' });
    const paths = md.split('\n').filter((l) => l.startsWith('- '));
    assert.deepEqual(paths, [
      '- `runtime.growslice` · 4 allocs · 160 B',
      '- `fmt.Sprintf → fmt.(*pp).doPrintf → … → runtime.convT64 (5 frames)` · 3 allocs · 120 B',
      '- `strings.Repeat → runtime.makeslice` · 2 allocs · 80 B',
      '- 1 more path',
    ]);
  });

  it('gives a line with a parts table one folded main path instead of a list', () => {
    const md = renderLineHover({ line: swissMapLine(), report: lineReport([swissMapLine()], 6), source: 's', makes: 'map' });
    assert.match(md, /^\*\*Main path\*\* `runtime\.makemap → maps\.NewMap → … → maps\.newarray \(6 frames\)` · 2 allocs · 34\.0 KiB \(and 2 more paths\)$/m);
    assert.doesNotMatch(md, /Call paths/);
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

  it('puts escape analysis right under the count, before the table', () => {
    const r = lineReport([swissMapLine()], 6, true, { prediction: { verdict: 'stack', agrees: true, messages: [{ file: MAIN, line: 6, column: 7, subject: 'make(map[int]int, 1000)', verdict: 'does not escape' }] } });
    const md = renderLineHover({ line: swissMapLine(), report: r, source: 's', makes: 'map' });
    assert.ok(md.indexOf('**Escape analysis**') < md.indexOf('**Swiss map**'));
    assert.ok(md.indexOf('**Escape analysis**') < 80, 'near the top');
  });

  it('shows the other scope\'s count of the line beside its own', () => {
    const run = report([{ ...swissMapLine(), count: 40, bytes: 1920 }, { ...swissMapLine(9), count: 60, bytes: 100 }]);
    const md = renderLineHover({ line: swissMapLine(), report: lineReport([swissMapLine()], 6), source: 's', makes: 'map', others: [{ line: run.lines[0], report: run }] });
    assert.match(md, /^\*\*first run: 5 allocs · 34\.1 KiB\*\* · first execution of this statement\n\nrun: 40 allocs · 1\.9 KiB · 40% of the run's 100 allocs$/m);
  });

  it('links the lines that paid for a map that allocated nothing, with what a run counted there', () => {
    const zero = { file: MAIN, line: 17, function: '', count: 0, bytes: 0, paths: [] };
    const insert = { file: MAIN, line: 19, function: 'main.main', count: 47, bytes: 3224, paths: [path(['strings.Join', 'runtime.mallocgc'], 40, 320), path(['runtime.mapassign_faststr', 'maps.(*Map).growToTable', 'runtime.makeslice', 'runtime.mallocgc'], 7, 2904)] };
    const run = report([insert]);
    const writes = mapWrites({ name: 'tags', lines: [19] }, MAIN, { label: 'Launch', report: run });
    assert.deepEqual(writes.paid, [{ file: MAIN, line: 19, amount: { count: 7, bytes: 2904 } }], 'only the inserts, not the key\'s strings.Join');
    const md = renderLineHover({ line: zero, report: lineReport([], 17), source: 's', makes: 'map', mapWrites: writes, revealCommand: 'malloclens.revealLine' });
    const link = `[main.go:19](command:malloclens.revealLine?${encodeURIComponent(JSON.stringify([MAIN, 19]))} "Go to main.go:19")`;
    assert.ok(md.includes(`**Paid by** the inserts into \`tags\` (Launch): ${link} 7 allocs · 2.8 KiB`), md);
    const noRun = renderLineHover({ line: zero, report: lineReport([], 17), source: 's', makes: 'map', mapWrites: mapWrites({ name: 'tags', lines: [19, 20] }, MAIN) });
    assert.match(noRun, /Inserts into `tags`: lines 19, 20 — run the program under malloclens to see what they cost\./);
  });
});
