/**
 * The compiled `dlv` launcher the Go extension runs in place of Delve: built with the real Go
 * toolchain, read by `go version -m` as the Go extension reads it, and run with the Go extension's
 * exact command line through a whole counted session against the real Delve.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readlinkSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDlvLauncher, BuiltLauncher, installLauncher } from '../../src/dap/dlvLauncher';
import { run } from '../../src/dap/processes';
import { CLI, CliResult, GO_119, markedEnv, runCommand, waitForNoLeftovers } from './helpers';
import { connect, countedSession, DEBUGGEE, waitListening } from './support/dapSession';
import { inspectGoToolVersion, needsRecompiling } from './support/goExtensionToolCheck';

/** What the launcher's process prints and how it ends. */
function runLauncher(launcher: string, args: string[]): Promise<CliResult> {
  return runCommand(launcher, args);
}

describe('dlv launcher for the Go extension', function () {
  this.timeout(300_000);

  let cache: string;
  let launcher: BuiltLauncher;
  let localGo: string;
  const target = { node: process.execPath, cli: CLI };

  before(async () => {
    cache = mkdtempSync(path.join(os.tmpdir(), 'malloclens-launcher-'));
    localGo = (await run('go', ['env', 'GOVERSION'], { env: { ...process.env, GOTOOLCHAIN: 'local' } })).stdout.trim();
    launcher = await buildDlvLauncher({ target, cache, env: process.env });
  });

  after(() => rmSync(cache, { recursive: true, force: true }));

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(3000), []);
  });

  it('is built with the local Go toolchain and carries the build info the Go extension reads', async () => {
    assert.equal(launcher.built, true);
    assert.equal(launcher.goVersion, localGo);
    assert.equal(launcher.path, path.join(cache, 'launcher', path.basename(path.dirname(launcher.path)), 'dlv'));
    assert.match(path.basename(path.dirname(launcher.path)), new RegExp(`^${localGo.replace(/\./g, '\\.')}-[0-9a-f]{12}$`));
    const info = await run('go', ['version', '-m', launcher.path]);
    assert.equal(info.code, 0, info.stderr);
    assert.equal(info.stdout.split('\n')[0], `${launcher.path}: ${localGo}`);
    assert.match(info.stdout, /^\tpath\tmalloclens\/dlv$/m);
    assert.deepEqual(await inspectGoToolVersion(launcher.path, process.env), { goVersion: localGo, moduleVersion: '(devel)' });
    assert.equal(await needsRecompiling(launcher.path, localGo, process.env), false, 'the Go extension would not warn');

    // The control: the shell-script launcher of old has no build info, and the same check flags it.
    const script = path.join(cache, 'dlv.sh');
    writeFileSync(script, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} "$@"\n`);
    chmodSync(script, 0o755);
    assert.equal(await needsRecompiling(script, localGo, process.env), true);
  });

  it('is reused while Go and the extension stay the same, and built anew when the extension moves', async () => {
    const mtime = statSync(launcher.path).mtimeMs;
    const again = await buildDlvLauncher({ target, cache, env: process.env });
    assert.deepEqual(again, { ...launcher, built: false });
    assert.equal(statSync(launcher.path).mtimeMs, mtime, 'not rebuilt');
    const moved = await buildDlvLauncher({ target: { ...target, cli: path.join(cache, 'elsewhere', 'cli.js') }, cache, env: process.env });
    assert.equal(moved.built, true);
    assert.notEqual(moved.path, launcher.path);
    // The settings name one path; installing copies the build there, replacing what was.
    const stable = path.join(cache, 'globalStorage', 'bin', 'dlv');
    installLauncher(moved.path, stable);
    installLauncher(launcher.path, stable);
    assert.equal(statSync(stable).size, statSync(launcher.path).size);
    assert.equal((await runLauncher(stable, ['version'])).code, 0, 'the installed copy runs this cli.js');
  });

  it('runs malloclens dap with its arguments and passes the exit status on', async () => {
    const version = await runLauncher(launcher.path, ['dap', 'version']);
    assert.equal(version.code, 0, version.stderr);
    assert.match(version.stdout, /^malloclens \S+\nDelve \d+\.\d+\.\d+ at \//);
    const refused = await runLauncher(launcher.path, ['dap', '--listen=0.0.0.0:0']);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /loopback only/);
  });

  it('becomes node on the Go extension\'s exact command line: same pid, Delve\'s log on fd 3, a counted session', async () => {
    // goDebugFactory.ts: dap <dlvFlags> [--log=... --log-output=...] --listen=127.0.0.1:PORT --log-dest=3, fd 3 piped
    const args = ['dap', '--check-go-version=false', '--log=true', '--log-output=dap', '--listen=127.0.0.1:0', '--log-dest=3'];
    const child = spawn(launcher.path, args, { cwd: DEBUGGEE, env: markedEnv(), stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let fd3 = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (fd3 += d.toString()));
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const port = await waitListening(child);
    // exec(2), not a child: the process the Go extension started is node itself.
    assert.equal(readlinkSync(`/proc/${child.pid}/exe`), realpathSync(process.execPath));
    const { client } = await connect(port);
    const { tally } = await countedSession(client);
    assert.ok(tally.total.count > 0);
    assert.equal(await exited, 0);
    assert.match(stdout, /10-20\n/, 'the program\'s output on the adapter\'s stdout, as with dlv');
    assert.match(fd3, /dap/i, 'Delve\'s own log reaches file descriptor 3 through the launcher');
  });

  it('built with an older Go, is one the Go extension would ask to recompile (hence one build per Go)', async function () {
    if (!GO_119.available()) this.skip();
    const env = { ...process.env, ...GO_119.env };
    const old = await buildDlvLauncher({ target, cache, env });
    assert.match(old.goVersion, /^go1\.19(\.|$)/);
    assert.notEqual(old.path, launcher.path);
    assert.equal((await inspectGoToolVersion(old.path, process.env)).goVersion, old.goVersion);
    assert.equal(await needsRecompiling(old.path, localGo, process.env), true);
    assert.equal((await runLauncher(old.path, ['dap', 'version'])).code, 0);
  });
});
