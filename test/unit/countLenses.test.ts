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

const TEST_SOURCE = [
  'package p',
  '',
  'import "testing"',
  '',
  'func BenchmarkFill(b *testing.B) {',
  '\tfor i := 0; i < b.N; i++ {',
  '\t\t_ = make([]int, 8)',
  '\t}',
  '}',
  '',
  'func TestFill(t *testing.T) {}',
  '',
  'func helper() {}',
  '',
].join('\n');

async function input(source: string, over: Partial<LensInput> = {}, file = 'main.go'): Promise<LensInput> {
  const parser = await loadGoParser();
  const lines = source.split('\n');
  return { outline: parser.outline(source, file), lineText: (l) => lines[l - 1], result: () => undefined, counting: () => false, ...over };
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
    assert.deepEqual(COUNTABLE_KINDS.map((k) => k(outline).map((c) => c.action)), [['count one call'], ['count mallocs', 'count mallocs'], []]);
  });

  it('in a _test.go file, "count allocs/op" above a benchmark and "count mallocs" above a test, in place of "count one call"', async () => {
    const lenses = countLenses(await input(TEST_SOURCE, {}, '/x/p_test.go'));
    assert.deepEqual(lenses.map((l) => [l.line, l.title]), [[5, 'count allocs/op'], [7, 'count mallocs'], [11, 'count mallocs'], [13, 'count one call']]);
    assert.deepEqual(lenses[0].target, { line: 5, endLine: 9, what: 'BenchmarkFill', action: 'count allocs/op', test: { name: 'BenchmarkFill', kind: 'benchmark' } });
    assert.deepEqual(lenses[2].target, { line: 11, endLine: 11, what: 'TestFill', action: 'count mallocs', test: { name: 'TestFill', kind: 'test' } });
    assert.equal(lenses[1].target?.test, undefined, 'the make(...) inside is a statement');
    // The same source under another name is no test file: go test would not run these.
    assert.deepEqual(countLenses(await input(TEST_SOURCE, {}, '/x/p.go')).filter((l) => l.title === 'count allocs/op'), []);
  });

  it('a benchmark\'s lens carries its per-op figures, or says it did not run; a test\'s its run', async () => {
    const perOp: MallocReport = { ...report(0), scope: 'op', statement: undefined, total: { count: 3, bytes: 96 } };
    const run: MallocReport = { ...report(0), scope: 'run', statement: undefined, total: { count: 12, bytes: 1024 } };
    const lenses = countLenses(await input(TEST_SOURCE, { result: (line) => (line === 5 ? perOp : line === 11 ? run : undefined) }, 'p_test.go'));
    assert.equal(lenses.find((l) => l.line === 5)!.title, 'count allocs/op · 3 allocs/op · 96 B/op');
    assert.equal(lenses.find((l) => l.line === 11)!.title, 'count mallocs · run: 12 allocs · 1.0 KiB');
    const notRun = countLenses(await input(TEST_SOURCE, { result: (line) => (line === 5 ? run : undefined) }, 'p_test.go'));
    assert.equal(notRun.find((l) => l.line === 5)!.title, 'count allocs/op · did not run');
    const counting = countLenses(await input(TEST_SOURCE, { counting: (line) => line === 5 }, 'p_test.go')).find((l) => l.line === 5)!;
    assert.equal(counting.tooltip, 'malloclens is running BenchmarkFill');
  });

  it('labels counts for the tree', () => {
    assert.equal(countLabel('main.go:6', { what: 'make(map[string]int, 10)', action: 'count mallocs' }), 'main.go:6 · make(map[string]int, 10)');
    assert.equal(countLabel('main.go:5', { what: 'main()', action: 'count one call' }), 'main.go:5 · main() · one call');
    assert.equal(countLabel('p_test.go:5', { what: 'BenchmarkFill', action: 'count allocs/op', test: { name: 'BenchmarkFill', kind: 'benchmark' } }), 'p_test.go:5 · BenchmarkFill · per op');
    assert.equal(countLabel('p_test.go:11', { what: 'TestFill', action: 'count mallocs', test: { name: 'TestFill', kind: 'test' } }), 'p_test.go:11 · TestFill');
  });
});
