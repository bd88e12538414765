/**
 * `malloclens dap` in front of a Delve started elsewhere: `dlv --headless --accept-multiclient`
 * runs a copy of the oracle corpus in one directory (the "remote" machine's paths), the client
 * attaches with `"mode": "remote"` and a substitutePath from another copy (the editor's), and the
 * report must give the editor's paths, and per line the same counts as a local run and as the
 * program's own MemStats deltas, in both engines. Detaching leaves the program running, without
 * malloclens's breakpoints.
 */
import * as assert from 'node:assert/strict';
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { MallocReport } from '../../src/core/report';
import { withRuntimeShare } from '../../src/core/tally';
import { parseVersion } from '../../src/core/versions';
import { StreamConnection } from '../../src/dap/connection';
import { locateDelve } from '../../src/dap/delveLocator';
import { run } from '../../src/dap/processes';
import { HeadlessClient } from '../../src/dap/headlessClient';
import { caseLines, CLI, countWithOracle, FIXTURES, GO_119, markedEnv, measureUndisturbed, mismatches, OracleRow, parseOracle, waitForNoLeftovers } from './helpers';
import { connect } from './support/dapSession';

/** The Delve the other tests use (test/setup.ts finds or installs it). */
let DLV = '';

interface Headless {
  port: number;
  child: ChildProcess;
  /** The debuggee's PID (Delve's child). */
  debuggee(): number | undefined;
  stop(): Promise<void>;
}

/**
 * `dlv --headless --accept-multiclient debug` of the program in `dir`, halted at its entry (unless
 * `--continue`); `wrapper` runs it inside another command (a new PID namespace).
 */
async function headlessDelve(dir: string, env: NodeJS.ProcessEnv, flags: string[] = [], wrapper: string[] = [], dlv = DLV): Promise<Headless> {
  const command = [...wrapper, dlv, '--headless', '--accept-multiclient', '--listen', '127.0.0.1:0', '--api-version=2', 'debug', ...flags, '--output', path.join(dir, 'prog')];
  const child = spawn(command[0], command.slice(1), {
    cwd: dir, env: markedEnv(env), stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  let out = '';
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the headless Delve did not listen: ${out}`)), 120_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /API server listening at: 127\.0\.0\.1:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => reject(new Error(`the headless Delve exited (${code}): ${out}`)));
  });
  const debuggee = () => {
    try {
      const children = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
      return children.length > 0 ? Number(children[0]) : undefined;
    } catch {
      return undefined;
    }
  };
  return {
    port, child, debuggee,
    stop: async () => {
      const program = debuggee();
      child.kill('SIGKILL');
      if (program) {
        try {
          process.kill(program, 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await exited;
    },
  };
}

/** `malloclens dap` over stdio in the editor's directory, initialized. */
async function proxyClient(cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess & { stdin: NodeJS.WritableStream }; client: HeadlessClient; exited: Promise<unknown> }> {
  const child = spawn(process.execPath, [CLI, 'dap'], { cwd, env: markedEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise((r) => child.once('exit', r));
  const client = new HeadlessClient(new StreamConnection(child.stdout, child.stdin));
  assert.equal((await client.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true })).success, true);
  return { child, client, exited };
}

/**
 * A plain client attached to the same headless Delve after malloclens left: the program must run
 * to its end without a stop, since a breakpoint malloclens left behind would stop it.
 * `first` runs on that client before it lets the program go.
 */
async function assertNoHiddenBreakpointLeft(port: number, oracleFile: string, first?: (client: HeadlessClient) => Promise<void>): Promise<void> {
  const plain = await connect(port);
  try {
    const stops: string[] = [];
    plain.client.onEvent((e) => e.event === 'stopped' && stops.push((e as P.StoppedEvent).body.reason));
    await plain.client.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    await plain.client.request('attach', { request: 'attach', mode: 'remote' });
    await first?.(plain.client);
    const ended = Promise.race([plain.client.waitFor('terminated'), plain.client.waitFor('stopped')]);
    await plain.client.request('configurationDone');
    await ended;
    assert.deepEqual(stops, [], 'no hidden breakpoint is left in the headless Delve');
    assert.ok(existsSync(oracleFile), 'the program ran to its end');
  } finally {
    plain.socket.destroy();
  }
}

interface RemoteRun {
  report: MallocReport;
  rows: OracleRow[];
  /** malloclens's own log (MALLOCLENS_DEBUG). */
  log: string;
  seconds: number;
}

/**
 * One remote run of the corpus: a headless Delve in `remoteDir`, `malloclens dap` attached to it
 * with the editor's copy in `editorDir`, to the program's end.
 */
interface RunOptions {
  /** malloclens's environment. */
  env?: NodeJS.ProcessEnv;
  /** The program's (and its Delve's) environment. */
  programEnv?: NodeJS.ProcessEnv;
  /** More of the attach's `malloclens` arguments. */
  own?: Record<string, unknown>;
  wrapper?: string[];
  /** Another Delve for the headless side (with `env` and `programEnv` selecting its Go). */
  dlv?: string;
}

async function remoteRun(dirs: { editor: string; remote: string }, engine: 'fast' | 'breakpoints', options: RunOptions = {}): Promise<RemoteRun> {
  const { env = {}, programEnv = {}, own = {}, wrapper = [], dlv } = options;
  const oracleFile = path.join(dirs.remote, 'deltas.json');
  rmSync(oracleFile, { force: true });
  const delve = await headlessDelve(dirs.remote, { ...programEnv, MALLOCLENS_ORACLE_OUT: oracleFile }, [], wrapper, dlv);
  const started = Date.now();
  const child = spawn(process.execPath, [CLI, 'dap'], { cwd: dirs.editor, env: markedEnv({ ...env, MALLOCLENS_DEBUG: '1' }), stdio: ['pipe', 'pipe', 'pipe'] });
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise((r) => child.once('exit', r));
  const client = new HeadlessClient(new StreamConnection(child.stdout, child.stdin));
  try {
    assert.equal((await client.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true })).success, true);
    const initialized = client.waitFor('initialized');
    const attach = await client.request('attach', {
      request: 'attach', mode: 'remote', host: '127.0.0.1', port: delve.port, cwd: dirs.editor,
      substitutePath: [{ from: dirs.editor, to: dirs.remote }], malloclens: { engine, ...own },
    });
    assert.equal(attach.success, true, attach.message);
    await initialized;
    const terminated = client.waitFor('terminated');
    await client.request('configurationDone');
    await terminated;
    const report = (await client.request('malloclens/tally')).body as MallocReport;
    await client.request('disconnect', {});
    await exited;
    const seconds = (Date.now() - started) / 1000;
    const { deltas, disturbed } = parseOracle(readFileSync(oracleFile, 'utf8'));
    const main = path.join(dirs.editor, 'main.go');
    const source = readFileSync(main, 'utf8').split('\n');
    const lines = caseLines(main);
    assert.equal(lines.length, deltas.length);
    const rows = lines.map((line, i) => {
      const counted = report.lines.find((l) => l.file === main && l.line === line);
      return { line, source: source[line - 1].trim(), runtime: deltas[i], counted: counted ? withRuntimeShare(counted) : 0, disturbed: disturbed.includes(i) };
    });
    return { report, rows, log, seconds };
  } finally {
    child.stdin.end();
    await delve.stop();
  }
}

/**
 * The remote run against its program's own deltas, and against a local run of the same program
 * line by line. Where the two programs' runtimes counted differently (a local fast-mode build has
 * the runtime overlay, which turns tiny-block reuse off: more objects; a thread created meanwhile),
 * each must equal its own runtime's count instead.
 */
function compare(remote: RemoteRun, localRun: Pick<RemoteRun, 'rows' | 'report'>): { differences: string[]; runtimesDiffer: number[] } {
  const local = localRun.rows;
  const differences = [...mismatches(remote), ...mismatches(localRun).map((m) => `local ${m}`)];
  const runtimesDiffer: number[] = [];
  for (const row of remote.rows) {
    const here = local.find((l) => l.line === row.line)!;
    if (row.disturbed || here.disturbed) continue;
    if (here.runtime !== row.runtime) runtimesDiffer.push(row.line);
    else if (here.counted !== row.counted) differences.push(`line ${row.line}: remote ${row.counted}, local ${here.counted}   ${row.source}`);
  }
  return { differences, runtimesDiffer };
}

describe('remote Delve: attach mode "remote" with substitutePath', function () {
  this.timeout(600_000);
  let work: string;
  let dirs: { editor: string; remote: string };
  let live: { editor: string; remote: string };

  before(async () => {
    const go = await run('go', ['version']);
    DLV = (await locateDelve({ go: parseVersion(go.stdout)!, install: true, notify: () => undefined })).path;
    work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-remote-'));
    dirs = { editor: path.join(work, 'editor', 'corpus'), remote: path.join(work, 'remote', 'app') };
    cpSync(path.join(FIXTURES, 'corpus'), dirs.editor, { recursive: true });
    cpSync(path.join(FIXTURES, 'corpus'), dirs.remote, { recursive: true });
    live = { editor: path.join(work, 'editor', 'live'), remote: path.join(work, 'remote', 'live') };
    cpSync(path.join(FIXTURES, 'fastlive'), live.editor, { recursive: true });
    cpSync(path.join(FIXTURES, 'fastlive'), live.remote, { recursive: true });
  });

  after(() => rmSync(work, { recursive: true, force: true }));

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(3000), [], 'no dlv, debuggee, symbolizer or malloclens process is left behind');
  });

  function assertEditorPaths(report: MallocReport): void {
    const remoteFiles = report.lines.filter((l) => l.file.startsWith(dirs.remote));
    assert.deepEqual(remoteFiles.map((l) => `${l.file}:${l.line}`), [], 'every line carries the editor\'s path');
    assert.ok(report.lines.some((l) => l.file === path.join(dirs.editor, 'main.go')), 'the program\'s lines are the user\'s code');
  }

  for (const engine of ['fast', 'breakpoints'] as const) {
    it(`counts what a local run counts and what the runtime counts, ${engine} engine`, async () => {
      const localStarted = Date.now();
      const local = await countWithOracle('corpus', ['--engine', engine]);
      const localSeconds = (Date.now() - localStarted) / 1000;
      // The breakpoint engine's recipe: the program started with GOMAXPROCS=1, which malloclens
      // sets itself only in programs it launches (see the next test).
      const programEnv = engine === 'breakpoints' ? { GOMAXPROCS: '1' } : {};
      const remote = await measureUndisturbed(() => remoteRun(dirs, engine, { programEnv }), (r) => r.rows.some((row) => row.disturbed));
      const { differences, runtimesDiffer } = compare(remote, local);
      const figures = remote.rows.map((r) => {
        const here = local.rows.find((l) => l.line === r.line)!;
        return `${r.line}:${r.runtime}/${r.counted}|${here.runtime}/${here.counted}`;
      });
      console.log(`      ${engine}: remote ${remote.seconds.toFixed(1)} s, local ${localSeconds.toFixed(1)} s; line:remote runtime/count|local runtime/count ${figures.join(' ')}`);
      assert.deepEqual(differences, []);
      // Two runs of one program: the runtime itself may count a line differently (json.Marshal's
      // pooled buffers after a GC; tiny-block reuse, which a local fast-mode build turns off).
      assert.ok(runtimesDiffer.length <= 6, `lines the two runtimes counted differently: ${runtimesDiffer.join(', ')}`);
      assertEditorPaths(remote.report);
      assert.ok(remote.rows.length >= 25 && remote.rows.some((r) => r.runtime > 100));
      if (engine === 'fast') {
        assert.match(remote.log, /reading the profile from \/proc\/\d+\/mem/, 'the process is on this machine: its memory is read directly');
        assert.equal(remote.report.check?.complete, true, JSON.stringify(remote.report.check));
        assert.ok(remote.report.warnings.some((w) => /built elsewhere/.test(w)), 'the report says the runtime overlay was missing');
      } else {
        assert.equal(remote.report.check?.complete, true, JSON.stringify(remote.report.check));
        assert.ok(!remote.report.warnings.some((w) => /GOMAXPROCS/.test(w)), 'GOMAXPROCS=1: nothing to warn about');
      }
      // Attached at the entry point: the whole run is counted, as in a launch.
      assert.ok(!remote.report.warnings.some((w) => /from the attach on/.test(w)), remote.report.warnings.join('\n'));
    });
  }

  it('says so when a program started with GOMAXPROCS > 1 may have lost concurrent allocations (breakpoint engine)', async () => {
    const procs = Math.max(2, os.availableParallelism());
    const remote = await remoteRun(dirs, 'breakpoints', { programEnv: { GOMAXPROCS: String(procs) } });
    const missing = mismatches(remote);
    console.log(`      breakpoints at GOMAXPROCS=${procs}: ${remote.seconds.toFixed(1)} s; ${missing.length ? missing.join('; ') : 'no line missed anything'}; check ${JSON.stringify(remote.report.check)}`);
    assert.ok(remote.report.warnings.some((w) => w.includes(`GOMAXPROCS=${procs}`)), remote.report.warnings.join('\n'));
    // What was lost is never lost silently: Delve's own hit counts say so.
    if (missing.length > 0) assert.equal(remote.report.check?.complete, false, JSON.stringify(remote.report.check));
    assert.ok(remote.rows.every((r) => r.disturbed || r.counted <= r.runtime), 'nothing is counted twice');
  });

  it('works with an older headless Delve (Debian\'s Delve 1.20.2, Go 1.19), both engines', async function () {
    if (!GO_119.available()) this.skip();
    for (const engine of ['fast', 'breakpoints'] as const) {
      const programEnv = { ...GO_119.env, ...(engine === 'breakpoints' ? { GOMAXPROCS: '1' } : {}) };
      const remote = await measureUndisturbed(() => remoteRun(dirs, engine, { env: GO_119.env, programEnv, dlv: '/usr/bin/dlv' }), (r) => r.rows.some((row) => row.disturbed));
      console.log(`      Delve 1.20.2, Go 1.19, ${engine}: ${remote.seconds.toFixed(1)} s; report says Delve ${remote.report.delve}, ${remote.report.go}`);
      assert.deepEqual(mismatches(remote), []);
      assertEditorPaths(remote.report);
      assert.equal(remote.report.delve, '1.20.2', 'the headless server says which Delve it is');
    }
  });

  it('reads the profile through Delve\'s requests where the process\'s memory is not readable (fast engine)', async () => {
    const remote = await measureUndisturbed(() => remoteRun(dirs, 'fast', { env: { MALLOCLENS_MEMORY: 'delve' } }), (r) => r.rows.some((row) => row.disturbed));
    console.log(`      fast through Delve: ${remote.seconds.toFixed(1)} s`);
    assert.match(remote.log, /reading the profile through Delve's requests/);
    assert.deepEqual(mismatches(remote), []);
    assertEditorPaths(remote.report);
  });

  it('in another PID namespace (a container), finds the PID is not this program\'s: reads through Delve, and needs the executable given', async function () {
    // The program's own PID names another process here (as in a container); --kill-child takes
    // the namespace, and everything in it, down with the unshare process.
    const wrapper = ['unshare', '--pid', '--fork', '--mount-proc', '--kill-child'];
    if (spawnSync(wrapper[0], [...wrapper.slice(1), 'true']).status !== 0) this.skip();
    const without = await remoteRun(dirs, 'fast', { wrapper });
    console.log(`      another PID namespace: ${/the debuggee: .*/.exec(without.log)?.[0]}`);
    assert.match(without.log, /the debuggee: (no process \d+ whose memory|process \d+ on this machine is another program|process \d+ on this machine: )/);
    assert.ok(without.report.warnings.some((w) => /counted nothing: .*malloclens: \{ binary:/.test(w)), without.report.warnings.join('\n'));
    assert.equal(without.report.total.count, 0, 'nothing counted is said, not a silent zero');
    const given = await measureUndisturbed(() => remoteRun(dirs, 'fast', { wrapper, own: { binary: path.join(dirs.remote, 'prog') } }), (r) => r.rows.some((row) => row.disturbed));
    console.log(`      another PID namespace, executable given: ${given.seconds.toFixed(1)} s`);
    assert.match(given.log, /reading the profile through Delve's requests/);
    assert.deepEqual(mismatches(given), []);
    assertEditorPaths(given.report);
  });

  it('detaches without ending the program or leaving a breakpoint of its own in the headless Delve', async () => {
    const oracleFile = path.join(dirs.remote, 'deltas.json');
    rmSync(oracleFile, { force: true });
    const delve = await headlessDelve(dirs.remote, { MALLOCLENS_ORACLE_OUT: oracleFile });
    try {
      const { child, client, exited } = await proxyClient(dirs.editor);
      const initialized = client.waitFor('initialized');
      const attach = await client.request('attach', { request: 'attach', mode: 'remote', port: delve.port, substitutePath: [{ from: dirs.editor, to: dirs.remote }] });
      assert.equal(attach.success, true, attach.message);
      await initialized;
      const main = path.join(dirs.editor, 'main.go');
      const line = caseLines(main)[3];
      const set = await client.request('setBreakpoints', { source: { path: main }, breakpoints: [{ line }] });
      assert.equal((set.body as P.SetBreakpointsResponse['body']).breakpoints[0].verified, true, 'the editor\'s path reaches Delve through substitutePath');
      const stopped = client.waitFor('stopped');
      await client.request('configurationDone');
      const stop = (await stopped) as P.StoppedEvent;
      const frames = (await client.request('stackTrace', { threadId: stop.body.threadId, levels: 1 })).body as P.StackTraceResponse['body'];
      assert.equal(frames.stackFrames[0].source?.path, main);
      const midway = (await client.request('malloclens/tally')).body as MallocReport;
      assert.ok(midway.lines.some((l) => l.file === main && l.line < line), 'counted up to the breakpoint');
      await client.request('disconnect', { terminateDebuggee: false });
      child.stdin.end();
      await exited;
      const program = delve.debuggee();
      assert.ok(program !== undefined && existsSync(`/proc/${program}`), 'the program lives on after the detach');

      // A plain client of the same headless Delve: nothing of malloclens's stops the program now.
      await assertNoHiddenBreakpointLeft(delve.port, oracleFile, async (plain) => {
        const rate = (await plain.request('evaluate', { expression: 'runtime.MemProfileRate', context: 'repl' })).body as P.EvaluateResponse['body'];
        assert.notEqual(rate.result, '1', 'the sampling rate is back to the program\'s own');
        // The user's own breakpoint is the user's: this client clears it, as a fresh editor would.
        await plain.request('setBreakpoints', { source: { path: path.join(dirs.remote, 'main.go') }, breakpoints: [] });
      });
    } finally {
      await delve.stop();
    }
  });

  it('attached to a program already running, counts from the attach on and says so (fast engine)', async () => {
    const oracleFile = path.join(live.remote, 'deltas.json');
    // malloclens is ready before the program starts: only the attach itself falls in its run.
    const { child, client, exited } = await proxyClient(live.editor);
    const delve = await headlessDelve(live.remote, { MALLOCLENS_ORACLE_OUT: oracleFile }, ['--continue']);
    try {
      // The program loops for about a second; a third of it passes before the attach.
      await new Promise((r) => setTimeout(r, 300));
      const initialized = client.waitFor('initialized');
      const attach = await client.request('attach', { request: 'attach', mode: 'remote', port: delve.port, cwd: live.editor, substitutePath: [{ from: live.editor, to: live.remote }] });
      assert.equal(attach.success, true, attach.message);
      await initialized;
      const terminated = client.waitFor('terminated');
      await client.request('configurationDone');
      await terminated;
      const report = (await client.request('malloclens/tally')).body as MallocReport;
      await client.request('disconnect', {});
      await exited;
      const [pairs, strings, disturbed] = JSON.parse(readFileSync(oracleFile, 'utf8')) as number[];
      const main = path.join(live.editor, 'main.go');
      const [pairLine, stringLine] = ['// pair', '// string'].map((marker) => readFileSync(main, 'utf8').split('\n').findIndex((l) => l.trimEnd().endsWith(marker)) + 1);
      const counted = (line: number) => report.lines.find((l) => l.file === main && l.line === line)?.count ?? 0;
      console.log(`      mid-run attach: pair line ${counted(pairLine)} of ${pairs}, string line ${counted(stringLine)} of ${strings} (whole run, runtime); check ${JSON.stringify(report.check)}`);
      assert.ok(report.warnings.some((w) => /from the attach on/.test(w)), report.warnings.join('\n'));
      // The runtime's own count over the attached part of the run is the oracle here.
      assert.equal(report.check?.complete, true, JSON.stringify(report.check));
      assert.ok(counted(pairLine) > 0 && counted(pairLine) < pairs, `the pair line: ${counted(pairLine)} of ${pairs}`);
      if (disturbed === 0) assert.ok(counted(stringLine) > 0 && counted(stringLine) < strings, `the string line: ${counted(stringLine)} of ${strings}`);
    } finally {
      child.stdin.end();
      await delve.stop();
    }
  });

  it('a client that goes away while the program runs: detached, no breakpoint of its own left', async () => {
    const oracleFile = path.join(live.remote, 'deltas.json');
    rmSync(oracleFile, { force: true });
    const delve = await headlessDelve(live.remote, { MALLOCLENS_ORACLE_OUT: oracleFile });
    try {
      const { child, client, exited } = await proxyClient(live.editor);
      const initialized = client.waitFor('initialized');
      assert.equal((await client.request('attach', { request: 'attach', mode: 'remote', port: delve.port, substitutePath: [{ from: live.editor, to: live.remote }] })).success, true);
      await initialized;
      await client.request('configurationDone');
      await new Promise((r) => setTimeout(r, 400));
      // The client goes away without a word (an editor closed): malloclens detaches by itself.
      child.stdin.end();
      await exited;
      await assertNoHiddenBreakpointLeft(delve.port, oracleFile);
    } finally {
      await delve.stop();
    }
  });

  it('says what is wrong when no headless Delve listens there', async () => {
    const { child, client, exited } = await proxyClient(dirs.editor);
    const attach = await client.request('attach', { request: 'attach', mode: 'remote', host: '127.0.0.1', port: 1 });
    assert.equal(attach.success, false);
    assert.match(attach.message ?? '', /cannot reach the headless Delve at 127\.0\.0\.1:1/);
    await client.request('disconnect', {});
    child.stdin.end();
    await exited;
  });
});
