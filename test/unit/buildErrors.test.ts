import * as assert from 'node:assert/strict';
import { parseBuildErrors, problemsSummary } from '../../src/core/buildErrors';

describe('buildErrors', () => {
  // What `go build` printed for test/fixtures/broken and for a syntax error (Go 1.26).
  const stderr = [
    '# command-line-arguments',
    './main.go:4:7: undefined: undefinedThing',
    'main.go:9:2: syntax error: unexpected }, expected expression',
    '/abs/other.go:12: imported and not used: "fmt"',
    'note: module requires Go 1.27',
  ].join('\n');

  it('reads file, line, column and message, relative to the build directory', () => {
    assert.deepEqual(parseBuildErrors(stderr, '/w/p'), [
      { file: '/w/p/main.go', line: 4, column: 7, message: 'undefined: undefinedThing' },
      { file: '/w/p/main.go', line: 9, column: 2, message: 'syntax error: unexpected }, expected expression' },
      { file: '/abs/other.go', line: 12, message: 'imported and not used: "fmt"' },
    ]);
  });

  it('says the first in one line and how many more are in Problems', () => {
    const problems = parseBuildErrors(stderr, '/w/p');
    assert.equal(problemsSummary(problems), 'main.go:4: undefined: undefinedThing (and 2 more in Problems)');
    assert.equal(problemsSummary(problems.slice(0, 1)), 'main.go:4: undefined: undefinedThing (see Problems)');
    assert.equal(problemsSummary([]), '');
  });
});
