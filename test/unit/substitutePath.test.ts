import * as assert from 'node:assert/strict';
import { pathRules, substitutePath, toClientPath, toServerPath } from '../../src/core/substitutePath';

describe('substitutePath (Delve\'s pkg/locspec.SubstitutePath)', () => {
  const rules = [{ from: '/home/me/app', to: '/app' }];

  it('maps the program\'s paths to the editor\'s and back, at separator boundaries only', () => {
    assert.equal(toClientPath('/app/main.go', rules), '/home/me/app/main.go');
    assert.equal(toClientPath('/app', rules), '/home/me/app');
    assert.equal(toClientPath('/application/main.go', rules), '/application/main.go', 'a prefix that ends mid-name is no match');
    assert.equal(toServerPath('/home/me/app/pkg/x.go', rules), '/app/pkg/x.go');
    assert.equal(toClientPath('/usr/local/go/src/runtime/malloc.go', rules), '/usr/local/go/src/runtime/malloc.go');
  });

  it('takes the first rule that matches, as Delve does', () => {
    const two = [{ from: '/ws/vendored', to: '/app/vendor' }, { from: '/ws', to: '/app' }];
    assert.equal(toClientPath('/app/vendor/x.go', two), '/ws/vendored/x.go');
    assert.equal(toClientPath('/app/y.go', two), '/ws/y.go');
  });

  it('follows Delve on trailing separators, empty rules and Windows editors', () => {
    assert.equal(substitutePath('/app/main.go', [['/app/', '/src/']]), '/src/main.go');
    assert.equal(substitutePath('/app/main.go', [['/app', '']]), 'main.go');
    assert.equal(substitutePath('main.go', [['', '/app']]), '/app/main.go');
    assert.equal(toClientPath('/app/pkg/main.go', [{ from: 'C:\\Users\\me\\app', to: '/app' }]), 'C:\\Users\\me\\app\\pkg\\main.go');
  });

  it('reads a configuration\'s rules, skipping malformed entries', () => {
    assert.deepEqual(pathRules([{ from: '/a', to: '/b' }, { from: 1 }, 'x']), [{ from: '/a', to: '/b' }]);
    assert.deepEqual(pathRules(undefined), []);
  });
});
