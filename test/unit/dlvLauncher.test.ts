import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { goStringLiteral, launcherBuildEnv, launcherCachePath, launcherFileName, launcherFiles, launcherKey } from '../../src/dap/dlvLauncher';

const TARGET = { node: '/usr/bin/node', cli: '/ext/malloclens-0.1.0/dist/cli.js' };

describe('dlv launcher (pure parts)', () => {
  it('quotes paths as Go string literals', () => {
    assert.equal(goStringLiteral('/usr/bin/node'), '"/usr/bin/node"');
    assert.equal(goStringLiteral('C:\\Program Files\\node.exe'), '"C:\\\\Program Files\\\\node.exe"');
    assert.equal(goStringLiteral('a "b"'), '"a \\"b\\""');
    assert.equal(goStringLiteral('new\nline\x7f'), '"new\\x0aline\\x7f"');
    assert.equal(goStringLiteral('/home/jörg/日本/cli.js'), '"/home/jörg/日本/cli.js"', 'UTF-8 stays as it is');
  });

  it('puts node and cli.js into config.go, and both exec variants beside main.go', () => {
    const files = launcherFiles({ node: '/opt/my "node"/bin/node', cli: TARGET.cli });
    assert.deepEqual(Object.keys(files).sort(), ['config.go', 'exec_other.go', 'exec_unix.go', 'go.mod', 'main.go']);
    assert.match(files['config.go'], /^const nodePath = "\/opt\/my \\"node\\"\/bin\/node"$/m);
    assert.match(files['config.go'], /^const cliPath = "\/ext\/malloclens-0\.1\.0\/dist\/cli\.js"$/m);
    assert.match(files['exec_unix.go'], /^\/\/go:build unix$/m);
    assert.match(files['exec_unix.go'], /syscall\.Exec\(/, 'on unix the launcher becomes node (pid, fds, exit status)');
    assert.match(files['exec_other.go'], /^\/\/go:build !unix$/m);
    assert.match(files['go.mod'], /^module malloclens\/dlv$/m);
  });

  it('keys the cache by Go version and everything compiled', () => {
    const files = launcherFiles(TARGET);
    const key = launcherKey('go1.26.8', files);
    assert.match(key, /^go1\.26\.8-[0-9a-f]{12}$/);
    assert.equal(launcherKey('go1.26.8', launcherFiles({ ...TARGET })), key, 'stable for the same inputs');
    assert.match(launcherKey('go1.27.3', files), /^go1\.27\.3-/, 'another Go: another directory');
    assert.notEqual(launcherKey('go1.26.8', launcherFiles({ ...TARGET, cli: '/ext/malloclens-0.2.0/dist/cli.js' })), key, 'an updated extension');
    assert.notEqual(launcherKey('go1.26.8', launcherFiles({ ...TARGET, node: '/usr/local/bin/node' })), key, 'another node');
    assert.notEqual(launcherKey('go1.26.8', { ...files, 'main.go': `${files['main.go']}\n` }), key, 'a changed source');
    assert.throws(() => launcherKey('go version go1.26.8 linux/amd64', files), /not a Go version/);
    assert.throws(() => launcherKey('../x', files), /not a Go version/);
  });

  it('lays out the cache as <cache>/launcher/<key>/dlv', () => {
    assert.equal(launcherCachePath('/c', 'go1.26.8-abc', 'linux'), path.join('/c', 'launcher', 'go1.26.8-abc', 'dlv'));
    assert.equal(launcherFileName('win32'), 'dlv.exe');
  });

  it('builds for this machine with the local toolchain, whatever the user\'s module asks for', () => {
    const env = launcherBuildEnv({ PATH: '/bin', GOOS: 'windows', GOARCH: 'arm64', GOFLAGS: '-mod=vendor', GOWORK: '/w/go.work', GOTOOLCHAIN: 'go1.27.3', CGO_ENABLED: '1' });
    assert.deepEqual(env, { PATH: '/bin', GOTOOLCHAIN: 'local', GOFLAGS: '', GOWORK: 'off', CGO_ENABLED: '0' });
  });
});
