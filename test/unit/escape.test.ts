import * as assert from 'node:assert/strict';
import { parseEscapeOutput, predictStatement } from '../../src/core/escape';

const OUTPUT = `# example.com/anatomy
./main.go:63:13: leaking param: id
./main.go:70:2: moved to heap: shape
./main.go:91:13: inlining call to measure
./main.go:110:16: make(map[int]int, 1000) escapes to heap
./main.go:113:10: make(map[int]int, 1000) does not escape
./main.go:141:32: words[0] + words[1] + words[2] escapes to heap
./main.go:141:56: 1000 + local escapes to heap
./main.go:141:74: can inline main.func1
sub/x.go:5:3: ... argument does not escape
`;

describe('escape: the compiler\'s prediction beside the measurement', () => {
  const messages = parseEscapeOutput(OUTPUT, '/p');

  it('keeps only escape verdicts, with absolute files', () => {
    assert.deepEqual(messages.map((m) => `${m.file}:${m.line}:${m.column} ${m.verdict} ${m.subject}`), [
      '/p/main.go:70:2 moved to heap shape',
      '/p/main.go:110:16 escapes make(map[int]int, 1000)',
      '/p/main.go:113:10 does not escape make(map[int]int, 1000)',
      '/p/main.go:141:32 escapes words[0] + words[1] + words[2]',
      '/p/main.go:141:56 escapes 1000 + local',
      '/p/sub/x.go:5:3 does not escape ... argument',
    ]);
  });

  it('agrees when an escaping make allocates', () => {
    const p = predictStatement(messages, '/p/main.go', 110, 110, { count: 6, callees: ['runtime.makemap'] });
    assert.equal(p.verdict, 'heap');
    assert.equal(p.agrees, true);
    assert.equal(p.messages.length, 1);
  });

  it('flags "does not escape" that still allocates through a callee', () => {
    const p = predictStatement(messages, '/p/main.go', 113, 113, { count: 5, callees: ['runtime.makemap', 'runtime.makemap'] });
    assert.equal(p.verdict, 'stack');
    assert.equal(p.agrees, false);
    assert.match(p.note ?? '', /allocated 5 times, through runtime\.makemap$/);
  });

  it('flags a line the compiler says nothing about that allocates, and agrees when neither happens', () => {
    const silent = predictStatement(messages, '/p/main.go', 200, 201, { count: 1, callees: ['strconv.Itoa'] });
    assert.deepEqual([silent.verdict, silent.agrees], ['none', false]);
    assert.match(silent.note ?? '', /strconv\.Itoa/);
    assert.equal(predictStatement(messages, '/p/main.go', 200, 200, { count: 0, callees: [] }).agrees, true);
    assert.equal(predictStatement(messages, '/p/main.go', 113, 113, { count: 0, callees: [] }).agrees, true);
  });

  it('flags an escape that allocated nothing', () => {
    const p = predictStatement(messages, '/p/main.go', 141, 141, { count: 0, callees: [] });
    assert.deepEqual([p.verdict, p.agrees, p.messages.length], ['heap', false, 2]);
  });

  it('takes every line of a multi-line statement and no other file', () => {
    assert.equal(predictStatement(messages, '/p/main.go', 110, 141, { count: 1, callees: [] }).messages.length, 4);
    assert.equal(predictStatement(messages, '/p/other.go', 110, 141, { count: 0, callees: [] }).verdict, 'none');
  });
});
