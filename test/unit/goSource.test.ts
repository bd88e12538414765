import * as assert from 'node:assert/strict';
import { GoParser, loadGoParser, MakeCall } from '../../src/core/goSource';

/** Source as lines, so that expectations can name lines by their content rather than by number. */
const LINES = [
  'package main',
  '',
  '// make(map[int]int) in a line comment',
  '/* make([]int, 3) in a block comment */',
  'var s = "make(chan int)"',
  'var r = `make(',
  '  []byte, 1)`',
  'var global = make(map[string]bool)',
  '',
  'func main() {',
  '\tm := make(map[string]int, 10)',
  '\txs := make([]int,',
  '\t\t0,',
  '\t\t16)',
  '\tch := make(chan struct{})',
  '\ttype T []int',
  '\tt := make(T, 3)',
  '\t_ = append(xs, len(make([]byte, 4)))',
  '\tfor i := 0; i < 3; i++ {',
  '\t\tbuf := make(',
  '\t\t\t[]byte,',
  '\t\t\ti,',
  '\t\t)',
  '\t\t_ = buf',
  '\t}',
  '\tgo func() {',
  '\t\tinner := make(map[int]int)',
  '\t\t_ = inner',
  '\t}()',
  '\tif len(m) > 0 {',
  '\t\tprintln("make(")',
  '\t} else {',
  '\t\tprintln(s.make(1))',
  '\t}',
  '\t_ = remake(2)',
  '\t_, _, _ = ch, t, r',
  '}',
  '',
  'func remake(n int) []int { return nil }',
  '',
];
const SOURCE = LINES.join('\n');

/** 1-based number of the only line containing `text`. */
function lineOf(text: string): number {
  const found = LINES.flatMap((l, i) => (l.includes(text) ? [i + 1] : []));
  assert.equal(found.length, 1, `${JSON.stringify(text)} should be on exactly one line, found ${found.length}`);
  return found[0];
}

describe('goSource', function () {
  this.timeout(30000);
  let parser: GoParser;
  let calls: MakeCall[];

  before(async () => {
    parser = await loadGoParser();
    calls = parser.findMakeCalls(SOURCE);
  });

  it('loadGoParser() returns the same parser each time', async () => {
    assert.equal(await loadGoParser(), parser);
  });

  describe('findMakeCalls', () => {
    it('finds the calls and only the calls, in source order', () => {
      assert.deepEqual(calls.map((c) => c.line), [
        lineOf('var global'),
        lineOf('m := make'),
        lineOf('xs := make'),
        lineOf('ch := make'),
        lineOf('t := make'),
        lineOf('len(make'),
        lineOf('buf := make'),
        lineOf('inner := make'),
      ]);
    });

    it('ignores make( in comments, strings, raw strings, method calls and other functions', () => {
      const ignored = [lineOf('line comment'), lineOf('block comment'), lineOf('var s ='), lineOf('var r ='), lineOf('[]byte, 1)`'), lineOf('println("make(")'), lineOf('s.make(1)'), lineOf('_ = remake(2)'), lineOf('func remake')];
      for (const line of ignored) assert.ok(!calls.some((c) => c.line === line), `line ${line}`);
    });

    it('tells a package-level initializer from a statement of a function', () => {
      assert.equal(calls.find((c) => c.line === lineOf('var global'))?.inFunction, false);
      assert.ok(calls.filter((c) => c.line !== lineOf('var global')).every((c) => c.inFunction));
    });

    it('classifies what is made', () => {
      const kind = (text: string) => calls.find((c) => c.line === lineOf(text))?.kind;
      assert.equal(kind('var global'), 'map');
      assert.equal(kind('m := make'), 'map');
      assert.equal(kind('xs := make'), 'slice');
      assert.equal(kind('ch := make'), 'chan');
      assert.equal(kind('t := make'), 'other'); // a named type: the parser cannot know it is a slice
      assert.equal(kind('len(make'), 'slice');
      assert.equal(kind('buf := make'), 'slice');
      assert.equal(kind('inner := make'), 'map');
    });

    it('reports the 1-based column of make', () => {
      const m = calls.find((c) => c.line === lineOf('m := make'))!;
      assert.equal(m.column, LINES[m.line - 1].indexOf('make(') + 1);
      const g = calls.find((c) => c.line === lineOf('var global'))!;
      assert.equal(g.column, 'var global = '.length + 1);
      const nested = calls.find((c) => c.line === lineOf('len(make'))!;
      assert.equal(nested.column, LINES[nested.line - 1].indexOf('make(') + 1);
    });

    it('treats a multi-line call as one call spanning its lines, with whitespace collapsed', () => {
      const xs = calls.find((c) => c.line === lineOf('xs := make'))!;
      assert.equal(xs.endLine, lineOf('\t\t16)'));
      assert.equal(xs.text, 'make([]int, 0, 16)');
      const buf = calls.find((c) => c.line === lineOf('buf := make'))!;
      assert.equal(buf.endLine, lineOf('buf := make') + 3);
      assert.doesNotMatch(buf.text, /\s{2,}|\n|\t/);
      assert.match(buf.text, /^make\(\[\]byte, i,?\)$/);
    });

    it('gives single-line calls their text as written', () => {
      assert.equal(calls.find((c) => c.line === lineOf('m := make'))!.text, 'make(map[string]int, 10)');
      assert.equal(calls.find((c) => c.line === lineOf('ch := make'))!.text, 'make(chan struct{})');
      assert.equal(calls.find((c) => c.line === lineOf('len(make'))!.text, 'make([]byte, 4)');
    });

    it('gives each call the span of its innermost enclosing statement', () => {
      const stmt = (text: string) => calls.find((c) => c.line === lineOf(text))!.statement;
      assert.deepEqual(stmt('m := make'), { line: lineOf('m := make'), endLine: lineOf('m := make') });
      assert.deepEqual(stmt('xs := make'), { line: lineOf('xs := make'), endLine: lineOf('\t\t16)') });
      assert.deepEqual(stmt('len(make'), { line: lineOf('len(make'), endLine: lineOf('len(make') });
      assert.deepEqual(stmt('buf := make'), { line: lineOf('buf := make'), endLine: lineOf('buf := make') + 3 });
      // Inside a func literal: the inner statement, not the go statement around it.
      assert.deepEqual(stmt('inner := make'), { line: lineOf('inner := make'), endLine: lineOf('inner := make') });
    });

    it('uses the call itself as the statement at package level', () => {
      const g = calls.find((c) => c.line === lineOf('var global'))!;
      assert.deepEqual(g.statement, { line: g.line, endLine: g.line });
    });

    it('finds nothing in a file without make calls', () => {
      assert.deepEqual(parser.findMakeCalls('package p\n\nfunc f() int { return 1 }\n'), []);
    });

    it('survives a file that does not parse cleanly', () => {
      const broken = 'package p\n\nfunc f() {\n\tx := make([]int, 3\n\ty := make(map[int]int)\n';
      const found = parser.findMakeCalls(broken);
      assert.ok(found.some((c) => c.line === 5 && c.kind === 'map'), JSON.stringify(found));
    });
  });

  describe('functions', () => {
    it('lists functions and methods with a body, with their lines', () => {
      const src = 'package p\n\nfunc a() {}\n\nfunc (s *S) M(x int) int {\n\treturn x\n}\n\nfunc external()\n\nvar f = func() {}\n';
      assert.deepEqual(parser.functions(src), [
        { name: 'a', line: 3, endLine: 3 },
        { name: '(*S).M', line: 5, endLine: 7 },
      ]);
    });
  });

  describe('syntaxErrors', () => {
    it('finds the line of an unclosed make( that is no call any more', () => {
      const src = 'package main\n\nfunc main() {\n\tx := make(\n}\n';
      assert.deepEqual(parser.findMakeCalls(src), []);
      assert.deepEqual(parser.syntaxErrors(src).map((e) => e.line), [4]);
    });

    it('finds nothing in a file that parses', () => {
      assert.deepEqual(parser.syntaxErrors('package main\n\nfunc main() {\n\t_ = make([]int, 3)\n}\n'), []);
    });
  });

  describe('mapWritesOf', () => {
    const src = [
      'package main', //1
      'func main() {', //2
      '\ttags := make(map[string]int)', //3
      '\tother := map[string]int{}', //4
      '\tfor i := 0; i < 3; i++ {', //5
      '\t\ttags[key(i)] = i', //6
      '\t\ttags["n"]++', //7
      '\t\tother["x"] = 1', //8
      '\t\ttags["s"] += i', //9
      '\t\t_ = tags["read"]', //10
      '\t}', //11
      '}', //12
      'func g() { tags := 1; var m = make(map[int]int); m[1] = tags }', //13
    ].join('\n');

    it('finds the lines that write into the map made on a line, by its name, in its function', () => {
      assert.deepEqual(parser.mapWritesOf(src, 3), { name: 'tags', lines: [6, 7, 9] });
      assert.deepEqual(parser.mapWritesOf(src, 13), { name: 'm', lines: [13] }, 'var declarations too');
    });

    it('knows nothing of a make that is not assigned to one name', () => {
      assert.equal(parser.mapWritesOf('package p\nfunc f() { use(make(map[int]int)) }', 2), undefined);
      assert.equal(parser.mapWritesOf(src, 4), undefined, 'no make on the line');
    });
  });

  describe('statementAt', () => {
    it('returns a single-line statement', () => {
      const l = lineOf('m := make');
      assert.deepEqual(parser.statementAt(SOURCE, l), { line: l, endLine: l });
    });

    it('returns the whole multi-line statement from its first line', () => {
      assert.deepEqual(parser.statementAt(SOURCE, lineOf('xs := make')), { line: lineOf('xs := make'), endLine: lineOf('\t\t16)') });
    });

    it('returns the containing statement for a line in the middle of one', () => {
      assert.deepEqual(parser.statementAt(SOURCE, lineOf('\t\t0,')), { line: lineOf('xs := make'), endLine: lineOf('\t\t16)') });
      const buf = lineOf('buf := make');
      assert.deepEqual(parser.statementAt(SOURCE, buf + 2), { line: buf, endLine: buf + 3 });
    });

    it('returns the innermost statement for a line inside a block', () => {
      const l = lineOf('_ = buf');
      assert.deepEqual(parser.statementAt(SOURCE, l), { line: l, endLine: l });
      const inner = lineOf('inner := make');
      assert.deepEqual(parser.statementAt(SOURCE, inner), { line: inner, endLine: inner });
    });

    it('returns the whole for statement from its header line and from its closing brace', () => {
      const start = lineOf('for i := 0');
      const end = lineOf('_ = buf') + 1;
      assert.equal(LINES[end - 1], '\t}');
      assert.deepEqual(parser.statementAt(SOURCE, start), { line: start, endLine: end });
      assert.deepEqual(parser.statementAt(SOURCE, end), { line: start, endLine: end });
    });

    it('returns the whole if statement for its else line', () => {
      const start = lineOf('if len(m) > 0');
      const end = lineOf('s.make(1)') + 1;
      assert.deepEqual(parser.statementAt(SOURCE, lineOf('} else {')), { line: start, endLine: end });
    });

    it('returns undefined outside function bodies', () => {
      assert.equal(parser.statementAt(SOURCE, 1), undefined);
      assert.equal(parser.statementAt(SOURCE, lineOf('var global')), undefined);
      assert.equal(parser.statementAt(SOURCE, lineOf('func main()')), undefined);
      assert.equal(parser.statementAt(SOURCE, LINES.length + 10), undefined);
    });
  });
});

describe('GoParser.testFunctions', () => {
  it('finds BenchmarkX(b *testing.B) and TestX(t *testing.T) as go test would, and nothing else', async () => {
    const parser = await loadGoParser();
    const source = [
      'package p',
      'import "testing"',
      'func BenchmarkParse(b *testing.B) {',
      '\tfor i := 0; i < b.N; i++ {}',
      '}',
      'func TestParse(t *testing.T) {}',
      'func Benchmark(b *testing.B) {}',
      'func Test_underscore(t *testing.T) {}',
      'func Testify(t *testing.T) {}',
      'func BenchmarkWrong(t *testing.T) {}',
      'func TestTwo(t *testing.T, n int) {}',
      'func TestMain(m *testing.M) {}',
      'func helper(b *testing.B) {}',
      'func (s S) TestMethod(t *testing.T) {}',
      'func BenchmarkÄrger(b *testing.B) {}',
    ].join('\n');
    assert.deepEqual(parser.testFunctions(source).map((f) => [f.name, f.kind, f.line, f.endLine]), [
      ['BenchmarkParse', 'benchmark', 3, 5],
      ['TestParse', 'test', 6, 6],
      ['Benchmark', 'benchmark', 7, 7],
      ['Test_underscore', 'test', 8, 8],
      ['BenchmarkÄrger', 'benchmark', 15, 15],
    ]);
  });
});
