import * as assert from 'node:assert/strict';
import { packageName, runsAsTest } from '../../src/core/goPackage';

describe('goPackage (what "count mallocs" runs)', () => {
  it('reads the package clause after comments and build constraints', () => {
    assert.equal(packageName('package main\n\nfunc main() {}\n'), 'main');
    assert.equal(packageName('// Copyright\n//go:build linux\n\n/* package notthis */\npackage store // trailing\n'), 'store');
    assert.equal(packageName('func main() {}'), undefined);
  });

  it('runs main packages as programs, and test files and libraries through their tests', () => {
    assert.equal(runsAsTest('/p/main.go', 'package main\n'), false);
    assert.equal(runsAsTest('/p/main_test.go', 'package main\n'), true);
    assert.equal(runsAsTest('/p/store.go', 'package store\n'), true);
  });
});
