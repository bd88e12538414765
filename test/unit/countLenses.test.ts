import * as assert from 'node:assert/strict';
import { COUNTABLE_KINDS, countLabel, countLenses, LensInput } from '../../src/core/countLenses';
import { loadGoParser } from '../../src/core/goSource';
import type { MallocReport } from '../../src/core/report';

const SOURCE = [
  'package main',
  '',
  'var global = make(map[string]bool)',
  '',
  'func main() {',
  '\tm := make(map[string]int, 10)',
  '\txs := append(make([]int, 1), make([]int, 2)...)',
  '\t_ = m',
  '\t_ = xs',
  '}',
  '',
].join('\n');

function report(count: number, reached = true): MallocReport {
  return {
    go: 'go1.26.8', delve: '1.27.2', buildFlags: '-gcflags=all=-N -l', scope: 'line', lines: [],
    unattributed: { count: 0, bytes: 0, buckets: [] }, total: { count, bytes: count * 48 }, warnings: [],
    statement: { file: '/x/main.go', line: 6, endLine: 6, reached },
  };
}

async function input(source: string, over: Partial<LensInput> = {}): Promise<LensInput> {
  const parser = await loadGoParser();
  const lines = source.split('\n');
  return { outline: parser.outline(source), lineText: (l) => lines[l - 1], result: () => undefined, counting: () => false, ...over };
}

describe('core lenses (countLenses)', () => {
  it('puts "count one call" above each function and one "count mallocs" per statement with make(...)', async () => {
    const lenses = countLenses(await input(SOURCE));
    assert.deepEqual(lenses.map((l) => [l.line, l.title]), [
      [3, 'count mallocs: unavailable — package-level, runs in package init'],
      [5, 'count one call'],
      [6, 'count mallocs'],
      [7, 'count mallocs'],
    ]);
    assert.deepEqual(lenses.find((l) => l.line === 5)!.target, { line: 5, endLine: 10, what: 'main()', action: 'count one call' });
    assert.equal(lenses.find((l) => l.line === 3)!.target, undefined, 'a package-level make has nothing to click');
    assert.equal(lenses.find((l) => l.line === 6)!.column, 7, 'at the make');
  });

  it('carries the result after a count, says "not reached", and spins while counting', async () => {
    const done = countLenses(await input(SOURCE, { result: (line) => (line === 6 ? report(3) : line === 7 ? report(0, false) : undefined), counting: (line) => line === 5, spinner: '$(spin) ' }));
    assert.equal(done.find((l) => l.line === 6)!.title, 'count mallocs · first run: 3 allocs · 144 B');
    assert.equal(done.find((l) => l.line === 7)!.title, 'count mallocs · not reached');
    const counting = done.find((l) => l.line === 5)!;
    assert.equal(counting.title, '$(spin) count one call: counting…');
    assert.equal(counting.target, undefined);
  });

  it('says why a make( that does not parse has nothing to count', async () => {
    const lenses = countLenses(await input('package main\n\nfunc main() {\n\tx := make(\n}\n'));
    assert.ok(lenses.some((l) => l.line === 4 && l.title === 'count mallocs: unavailable — line 4 does not parse'), JSON.stringify(lenses));
  });

  it('is a list of kinds, each one function of the outline', async () => {
    const { outline } = await input(SOURCE);
    assert.deepEqual(COUNTABLE_KINDS.map((k) => k(outline).map((c) => c.action)), [['count one call'], ['count mallocs', 'count mallocs']]);
  });

  it('labels counts for the tree', () => {
    assert.equal(countLabel('main.go:6', { what: 'make(map[string]int, 10)', action: 'count mallocs' }), 'main.go:6 · make(map[string]int, 10)');
    assert.equal(countLabel('main.go:5', { what: 'main()', action: 'count one call' }), 'main.go:5 · main() · one call');
  });
});
