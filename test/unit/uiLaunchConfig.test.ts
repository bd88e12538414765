import * as assert from 'node:assert/strict';
import { dlvCommandFlags, LaunchConfigError, parseEnvFile, resolveLaunchConfig, splitArgs } from '../../src/core/launchConfig';

const files: Record<string, 'directory' | 'file'> = {
  '/ws': 'directory', '/ws/cmd/app': 'directory', '/ws/cmd/app/main.go': 'file', '/ws/pkg': 'directory', '/ws/pkg/x_test.go': 'file', '/ws/bin/app': 'file',
};
const envFiles: Record<string, string> = { '/ws/.env': 'A=from-file\nB="two words"\n# comment\nexport C=3 # trailing\n' };
const ctx = {
  workspaceFolder: '/ws',
  readFile: (f: string) => {
    if (!(f in envFiles)) throw new Error('ENOENT');
    return envFiles[f];
  },
  kindOf: (f: string) => files[f],
};
const launch = (extra: Record<string, unknown>) => ({ type: 'malloclens', name: 'x', request: 'launch', ...extra });

describe('launch configuration (as the Go extension resolves it for dlv-dap)', () => {
  it('builds a package from its directory, with program "."', () => {
    const r = resolveLaunchConfig(launch({ program: '${workspaceFolder}/cmd/app'.replace('${workspaceFolder}', '/ws') }), ctx);
    assert.equal(r.dlvCwd, '/ws/cmd/app');
    assert.equal(r.config.program, '.');
    assert.equal(r.config.mode, 'debug');
  });

  it('resolves relative paths against the workspace folder; a file becomes ./file.go', () => {
    const r = resolveLaunchConfig(launch({ program: 'cmd/app/main.go', cwd: 'data', output: 'out/bin' }), ctx);
    assert.equal(r.dlvCwd, '/ws/cmd/app');
    assert.equal(r.config.program, './main.go');
    assert.equal(r.config.cwd, '/ws/data');
    assert.equal(r.config.output, '/ws/out/bin');
  });

  it('picks test mode for a _test.go program or active file, and tests the package', () => {
    const r = resolveLaunchConfig(launch({ mode: 'auto', program: '/ws/pkg/x_test.go' }), ctx);
    assert.equal(r.config.mode, 'test');
    assert.equal(r.dlvCwd, '/ws/pkg');
    assert.equal(r.config.program, '.');
    const fromEditor = resolveLaunchConfig(launch({ program: '/ws/pkg' }), { ...ctx, activeFile: '/ws/pkg/x_test.go' });
    assert.equal(fromEditor.config.mode, 'test');
  });

  it('merges env over envFile over go.toolsEnvVars, and drops envFile', () => {
    const r = resolveLaunchConfig(launch({ program: '/ws/cmd/app', envFile: '.env', env: { B: 'env wins' } }), { ...ctx, toolsEnv: { A: 'tools', T: 't' } });
    assert.deepEqual(r.config.env, { A: 'from-file', T: 't', B: 'env wins', C: '3' });
    assert.equal('envFile' in r.config, false);
  });

  it('splits string args like a shell', () => {
    assert.deepEqual(resolveLaunchConfig(launch({ program: '/ws/cmd/app', args: '-n 3 "a b" c\\ d \'e "f"\'' }), ctx).config.args, ['-n', '3', 'a b', 'c d', 'e "f"']);
    assert.deepEqual(splitArgs('  '), []);
    assert.deepEqual(splitArgs('""'), ['']);
    assert.throws(() => splitArgs('"open'), LaunchConfigError);
  });

  it('removes user -gcflags (Delve builds with its own) and says so', () => {
    const r = resolveLaunchConfig(launch({ program: '/ws/cmd/app', buildFlags: '-tags=x -gcflags=all=-m -race', env: { GOFLAGS: '-gcflags=-N -mod=mod' } }), ctx);
    assert.equal(r.config.buildFlags, '-tags=x -race');
    assert.equal((r.config.env as Record<string, string>).GOFLAGS, '-mod=mod');
    assert.equal(r.warnings.length, 2);
  });

  it('passes array build flags to Delve as one string, quoting words with spaces', () => {
    assert.equal(resolveLaunchConfig(launch({ program: '/ws/cmd/app', buildFlags: ['-tags', 'a b'] }), ctx).config.buildFlags, "-tags 'a b'");
  });

  it('undoes Delve\'s -N -l for optimized builds: string flags come after Delve\'s own', () => {
    assert.equal(resolveLaunchConfig(launch({ program: '/ws/cmd/app' }), { ...ctx, optimized: true }).config.buildFlags, '-gcflags=all=');
    assert.equal(resolveLaunchConfig(launch({ program: '/ws/cmd/app', buildFlags: ['-race'] }), { ...ctx, optimized: true }).config.buildFlags, '-race -gcflags=all=');
  });

  it('runs a binary in exec mode from the cwd, without build flags', () => {
    const r = resolveLaunchConfig(launch({ mode: 'exec', program: 'bin/app', buildFlags: '-race' }), ctx);
    assert.equal(r.config.program, '/ws/bin/app');
    assert.equal(r.dlvCwd, '/ws');
    assert.equal('buildFlags' in r.config, false);
  });

  it('keeps the attributes it does not resolve, for Delve', () => {
    const r = resolveLaunchConfig(launch({ program: '/ws/cmd/app', substitutePath: [{ from: '/a', to: '/b' }], stopOnEntry: true, showLog: true }), ctx);
    assert.deepEqual(r.config.substitutePath, [{ from: '/a', to: '/b' }]);
    assert.equal(r.config.stopOnEntry, true);
  });

  it('takes a remote attach as the Go extension writes it: port, host, the editor\'s paths made absolute', () => {
    const r = resolveLaunchConfig({ ...launch({}), request: 'attach', mode: 'remote', port: '2345', substitutePath: [{ from: '${workspaceFolder}'.replace('${workspaceFolder}', 'src'), to: '/app' }] }, ctx);
    assert.equal(r.config.port, 2345);
    assert.equal(r.config.host, '127.0.0.1');
    assert.equal(r.config.cwd, '/ws', 'the editor\'s copy of the module is the workspace folder');
    assert.deepEqual(r.config.substitutePath, [{ from: '/ws/src', to: '/app' }]);
    assert.equal(r.dlvCwd, '/ws');
  });

  it('refuses what it cannot count, with one-line reasons', () => {
    assert.throws(() => resolveLaunchConfig({ ...launch({ program: '/ws' }), request: 'attach' }, ctx), /"mode": "local" is not supported/);
    assert.throws(() => resolveLaunchConfig({ ...launch({}), request: 'attach', mode: 'remote' }, ctx), /"port" must be the headless Delve's port/);
    assert.throws(() => resolveLaunchConfig({ ...launch({}), request: 'attach', mode: 'remote', port: 2345, substitutePath: [{ from: '/a' }] }, ctx), /needs "from"/);
    assert.throws(() => resolveLaunchConfig(launch({ program: '/ws', port: 2345 }), ctx), /port/);
    assert.throws(() => resolveLaunchConfig(launch({}), ctx), /program attribute is missing/);
    assert.throws(() => resolveLaunchConfig(launch({ program: '/ws', mode: 'replay' }), ctx), /mode "replay" is not supported/);
    assert.throws(() => resolveLaunchConfig(launch({ program: '/ws/nothing' }), ctx), /no such file/);
    assert.throws(() => resolveLaunchConfig(launch({ program: '/ws/bin/app' }), ctx), /expected a package directory/);
    assert.throws(() => resolveLaunchConfig(launch({ program: '/ws', envFile: 'missing.env' }), ctx), /envFile missing\.env: ENOENT/);
  });

  it('reads env files: quotes, export, comments', () => {
    assert.deepEqual(parseEnvFile("X='single # not a comment'\nY=\"a\\nb\"\n  # c\nbad line\n"), { X: 'single # not a comment', Y: 'a\nb' });
  });

  it('puts dlvFlags and showLog on dlv\'s command line, in the Go extension\'s order', () => {
    assert.deepEqual(dlvCommandFlags({ dlvFlags: ['--check-go-version=false'], showLog: true, logOutput: 'dap,debugger' }), ['--check-go-version=false', '--log', '--log-output=dap,debugger']);
    assert.deepEqual(dlvCommandFlags({ showLog: false, logOutput: 'dap' }), []);
  });
});
