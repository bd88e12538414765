import * as assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { profileFileMapper } from '../../src/dap/profileFiles';

describe('profile file names on this machine', () => {
  let root: string;
  before(() => {
    root = mkdtempSync(path.join(os.tmpdir(), 'malloclens-profile-files-'));
    mkdirSync(path.join(root, 'pkg'));
    writeFileSync(path.join(root, 'pkg', 'x.go'), 'package pkg\n');
    writeFileSync(path.join(root, 'main.go'), 'package main\n');
  });
  after(() => rmSync(root, { recursive: true, force: true }));

  it('finds a build machine\'s path and a -trimpath module path under the roots by their tail', () => {
    const map = profileFileMapper([root]);
    assert.equal(map('/build/src/app/pkg/x.go'), path.join(root, 'pkg', 'x.go'));
    assert.equal(map('example.com/app/pkg/x.go'), path.join(root, 'pkg', 'x.go'));
    assert.equal(map('example.com/app/main.go'), path.join(root, 'main.go'));
  });

  it('keeps names that exist here, and names with no match (another GOROOT\'s file, a file not in the roots)', () => {
    const map = profileFileMapper([root]);
    const here = path.join(root, 'main.go');
    assert.equal(map(here), here);
    assert.equal(map('/usr/local/go/src/runtime/proc.go'), '/usr/local/go/src/runtime/proc.go');
    assert.equal(map('/opt/go/src/runtime/main.go'), '/opt/go/src/runtime/main.go', 'a bare name does not match an absolute path');
    assert.equal(map('example.com/app/other.go'), 'example.com/app/other.go');
  });
});
