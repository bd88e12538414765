/** A counted DAP session against `malloclens dap` (or anything standing in for it), as the tests drive it. */
import * as assert from 'node:assert/strict';
import type { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { MallocReport } from '../../../src/core/report';
import { StreamConnection } from '../../../src/dap/connection';
import { HeadlessClient } from '../../../src/dap/headlessClient';
import { FIXTURES } from '../helpers';

export const DEBUGGEE = path.join(FIXTURES, 'debuggee');

/** A full session: launch, a breakpoint, run to the end; returns the tally events and the final tally. */
export async function countedSession(client: HeadlessClient): Promise<{ events: P.Event[]; tally: MallocReport; output: string }> {
  const events: P.Event[] = [];
  let output = '';
  client.onEvent((e) => {
    if (e.event === 'malloclens/tally') events.push(e);
    if (e.event === 'output') output += (e.body as P.OutputEvent['body']).output;
  });
  assert.equal((await client.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true })).success, true);
  const initialized = client.waitFor('initialized');
  const launch = await client.request('launch', { request: 'launch', mode: 'debug', program: DEBUGGEE, output: path.join(DEBUGGEE, '__debug_bin_dapserver') });
  assert.equal(launch.success, true, launch.message);
  await initialized;
  await client.request('setBreakpoints', { source: { path: path.join(DEBUGGEE, 'main.go') }, breakpoints: [{ line: 47 }] });
  const stopped = client.waitFor('stopped');
  await client.request('configurationDone');
  const stop = (await stopped) as P.StoppedEvent;
  assert.equal(stop.body.reason, 'breakpoint');
  const midway = (await client.request('malloclens/tally')).body as MallocReport;
  // alloc(10) on line 46 makes its slice inside main.alloc (Go 1.26 charges `return s`, where the
  // compiler moves a stack-backed slice to the heap); it is counted before line 47 runs.
  const alloc = midway.lines.filter((l) => l.function === 'main.alloc');
  assert.equal(alloc.reduce((n, l) => n + l.count, 0), 1, JSON.stringify(midway.lines.map((l) => [l.function, l.line, l.count])));
  const terminated = client.waitFor('terminated');
  await client.request('continue', { threadId: stop.body.threadId });
  await terminated;
  const tally = (await client.request('malloclens/tally')).body as MallocReport;
  await client.request('disconnect', {});
  return { events, tally, output };
}

export function waitListening(child: ReturnType<typeof spawn>): Promise<number> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no listening line: ${out}`)), 30_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^DAP server listening at: 127\.0\.0\.1:(\d+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

export async function connect(port: number): Promise<{ client: HeadlessClient; socket: net.Socket }> {
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((r) => socket.once('connect', r));
  return { client: new HeadlessClient(new StreamConnection(socket, socket)), socket };
}
