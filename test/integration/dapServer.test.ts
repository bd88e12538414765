/**
 * `malloclens dap` as other editors start it: on stdio, on a loopback port, with the exact command
 * line the Go extension uses for `dlv dap`; its tally request and event; one client per server.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import type { MallocReport } from '../../src/core/report';
import { StreamConnection } from '../../src/dap/connection';
import { HeadlessClient } from '../../src/dap/headlessClient';
import { responseErrorId, START_ERROR } from '../../src/dap/startErrors';
import { CLI, markedEnv, waitForNoLeftovers } from './helpers';
import { connect, countedSession, DEBUGGEE, waitListening } from './support/dapSession';

describe('malloclens dap', function () {
  this.timeout(120_000);

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(3000), []);
  });

  /** Starts `malloclens dap` on stdio with `env` and returns its answer to initialize. */
  async function initializeWith(env: NodeJS.ProcessEnv): Promise<{ success: boolean; message?: string; body?: unknown }> {
    const child = spawn(process.execPath, [CLI, 'dap'], { cwd: DEBUGGEE, env: markedEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise((r) => child.once('exit', r));
    const client = new HeadlessClient(new StreamConnection(child.stdout, child.stdin));
    try {
      return await client.request('initialize', { clientID: 'test', adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    } finally {
      child.stdin.end();
      await exited;
    }
  }

  it('says why it could not start in the error id, which editors act on', async () => {
    const noDelve = await initializeWith({ ...process.env, MALLOCLENS_DLV: '/nonexistent/dlv' });
    assert.equal(noDelve.success, false);
    assert.equal(responseErrorId(noDelve), START_ERROR.noSuitableDelve, noDelve.message);
    assert.match(noDelve.message ?? '', /Delve not found at \/nonexistent\/dlv/);
    const noGo = await initializeWith({ ...process.env, MALLOCLENS_DLV: '', PATH: '/nonexistent' });
    assert.equal(noGo.success, false);
    assert.equal(responseErrorId(noGo), START_ERROR.goMissing, noGo.message);
  });

  it('speaks DAP on stdio, with the program\'s output as output events', async () => {
    const child = spawn(process.execPath, [CLI, 'dap'], { cwd: DEBUGGEE, env: markedEnv(), stdio: ['pipe', 'pipe', 'pipe'] });
    const exited = new Promise((r) => child.once('exit', r));
    const client = new HeadlessClient(new StreamConnection(child.stdout, child.stdin));
    // If the session fails half-way, ending stdin is the client going away: malloclens must clean up.
    const session = countedSession(client).finally(() => child.stdin.end());
    const { events, tally, output } = await session;
    assert.match(output, /10-20\n/, 'the program\'s stdout arrives as output events');
    assert.ok(tally.total.count > 0 && tally.lines.length > 0);
    assert.ok(events.length >= 1, 'malloclens/tally events announce changes');
    assert.deepEqual((events[events.length - 1].body as MallocReport).total, tally.total, 'the last event carries the final tally');
    await exited;
  });

  it('starts from the Go extension\'s exact dlv command line (go.alternateTools.dlv)', async () => {
    // goDebugFactory.ts: dap <dlvFlags> [--log=... --log-output=...] --listen=127.0.0.1:PORT --log-dest=3, fd 3 piped
    const args = [CLI, 'dap', '--check-go-version=false', '--log=true', '--log-output=dap', '--listen=127.0.0.1:0', '--log-dest=3'];
    const child = spawn(process.execPath, args, { cwd: DEBUGGEE, env: markedEnv(), stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    let fd3 = '';
    (child.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => (fd3 += d.toString()));
    let stdout = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
    const exited = new Promise((r) => child.once('exit', r));
    const { client } = await connect(await waitListening(child));
    const { tally } = await countedSession(client);
    assert.ok(tally.total.count > 0);
    await exited;
    assert.match(stdout, /10-20\n/, 'in listen mode the program\'s output is on the adapter\'s stdout, as with dlv');
    assert.match(fd3, /dap/i, 'Delve\'s own log reaches file descriptor 3');
  });

  it('turns away a second client and listens on loopback only', async () => {
    const refused = spawn(process.execPath, [CLI, 'dap', '--listen=0.0.0.0:0'], { env: markedEnv() });
    let err = '';
    refused.stderr.on('data', (d: Buffer) => (err += d.toString()));
    assert.equal(await new Promise((r) => refused.once('exit', r)), 2);
    assert.match(err, /loopback only/);

    const child = spawn(process.execPath, [CLI, 'dap', '--listen=127.0.0.1:0'], { cwd: DEBUGGEE, env: markedEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise((r) => child.once('exit', r));
    const port = await waitListening(child);
    const first = await connect(port);
    const second = net.connect(port, '127.0.0.1');
    const secondClosed = await new Promise<boolean>((resolve) => {
      second.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 3000);
    });
    assert.equal(secondClosed, true, 'the second connection is closed at once');
    await first.client.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    await first.client.request('disconnect', {});
    await exited;
  });

  it('prints its version and the Delve it would use', async () => {
    const child = spawn(process.execPath, [CLI, 'dap', 'version'], { env: markedEnv() });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    assert.equal(await new Promise((r) => child.once('exit', r)), 0);
    assert.match(out, /^malloclens \S+\nDelve \d+\.\d+\.\d+ at \//);
  });
});
