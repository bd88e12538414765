/**
 * Fast mode inside a debugging session, through the proxy, as an editor would drive it: counts
 * are fresh while the program runs and at every stop, a user's breakpoint and step behave as in
 * plain Delve, and nothing of the hidden work (stops, pauses, breakpoints, console lines) reaches
 * the client. Every count is checked against the program's own runtime.MemStats deltas.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../../src/core/report';
import { withRuntimeShare } from '../../src/core/tally';
import { formatVersion, parseVersion } from '../../src/core/versions';
import { locateDelve } from '../../src/dap/delveLocator';
import { DelveProcess } from '../../src/dap/delveProcess';
import { buildProgram, userCodeRoots } from '../../src/dap/goToolchain';
import { HeadlessClient } from '../../src/dap/headlessClient';
import { memoryConnectionPair } from '../../src/dap/memoryConnection';
import { DapProxy } from '../../src/dap/proxy';
import { createAllocationSession } from '../../src/dap/sessionChoice';
import { FIXTURES, GO_119, GO_INSTALLED, markedEnv, measureUndisturbed, waitForNoLeftovers } from './helpers';

const FIXTURE = path.join(FIXTURES, 'fastlive');
const MAIN = path.join(FIXTURE, 'main.go');

/** The fixture's measured lines, found by their trailing comments. */
function lineOf(comment: string): number {
  const index = readFileSync(MAIN, 'utf8').split('\n').findIndex((l) => l.trimEnd().endsWith(`// ${comment}`));
  assert.ok(index >= 0, `no line ends in // ${comment}`);
  return index + 1;
}

interface Run {
  client: HeadlessClient;
  events: P.Event[];
  oracleFile: string;
  terminated: Promise<P.Event>;
  finish(): Promise<void>;
}

async function startSession(env: NodeJS.ProcessEnv, liveIntervalMs: number): Promise<Run> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-fastlive-'));
  const runEnv = markedEnv(env);
  const built = await buildProgram({ target: FIXTURE, test: false, optimized: false, output: path.join(work, 'program'), env: runEnv });
  const found = await locateDelve({ go: parseVersion(built.goVersion)!, env: runEnv, install: false });
  const dlv = await DelveProcess.start({ delve: found, cwd: FIXTURE, env: runEnv, stdio: 'pipe' });
  const [clientSide, proxySide] = memoryConnectionPair();
  const proxy = new DapProxy(proxySide, dlv.connection);
  const session = createAllocationSession(proxy, {
    fast: true, liveIntervalMs, roots: await userCodeRoots(FIXTURE, runEnv), delveVersion: formatVersion(found.version),
    goVersion: built.goVersion, buildFlags: built.buildFlags, binary: built.binary, env: runEnv,
  });
  proxy.setHooks(session.hooks());
  const client = new HeadlessClient(clientSide);
  const events: P.Event[] = [];
  client.onEvent((e) => events.push(e));
  const oracleFile = path.join(work, 'deltas.json');
  await client.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
  const launched = await client.request('launch', { request: 'launch', mode: 'exec', program: built.binary, env: { MALLOCLENS_ORACLE_OUT: oracleFile } });
  assert.ok(launched.success, launched.message);
  return {
    client, events, oracleFile,
    terminated: client.waitFor('terminated'),
    finish: async () => {
      await client.request('disconnect', { terminateDebuggee: true });
      client.close();
      await dlv.stop();
      rmSync(work, { recursive: true, force: true });
    },
  };
}

async function tally(client: HeadlessClient): Promise<MallocReport> {
  const response = await client.request('malloclens/tally');
  assert.ok(response.success, response.message);
  return response.body as MallocReport;
}

function countAt(report: MallocReport, line: number): number {
  const found = report.lines.find((l) => l.file === MAIN && l.line === line);
  return found ? withRuntimeShare(found) : 0;
}

async function evaluateNumber(client: HeadlessClient, expression: string, frameId?: number): Promise<number> {
  const r = await client.request('evaluate', { expression, context: 'repl', frameId });
  assert.ok(r.success, `${expression}: ${r.message}`);
  // Delve renders unsigned integers with their hex: `21 = 0x15`.
  const result = (r.body as P.EvaluateResponse['body']).result;
  const m = /^-?\d+/.exec(result);
  assert.ok(m, `${expression} = ${result}`);
  return Number(m[0]);
}

/** The fixture's own account, written as the program ends (see the fixture's comment). */
function readOracle(file: string): { pairs: number; strings: number; disturbed: number } {
  const [pairs, strings, disturbed] = JSON.parse(readFileSync(file, 'utf8')) as number[];
  return { pairs, strings, disturbed };
}

/**
 * Runs an attempt again when the runtime made allocations of its own inside a measured line (a new
 * thread, a GC cycle): MemStats then counts more than the line made, and the run proves nothing.
 */
async function untilUndisturbed(attempt: () => Promise<'disturbed' | void>): Promise<void> {
  const last = await measureUndisturbed(attempt, (outcome) => outcome === 'disturbed');
  assert.notEqual(last, 'disturbed', 'three runs in a row had runtime allocations (a new thread, a GC cycle) inside a measured line');
}

/** What the client must never see of fast mode's own work. */
function assertNothingHiddenLeaked(events: P.Event[], expectedStops: string[]): void {
  const stops = events.filter((e) => e.event === 'stopped').map((e) => (e as P.StoppedEvent).body.reason);
  assert.deepEqual(stops, expectedStops, 'the client sees only its own stops');
  for (const e of events) {
    assert.notEqual(e.event, 'breakpoint', `a breakpoint event reached the client: ${JSON.stringify(e.body)}`);
    assert.notEqual(e.event, 'invalidated', 'an invalidated event reached the client');
    if (e.event === 'output') assert.doesNotMatch((e as P.OutputEvent).body.output, /Step interrupted|breakpoint|runtime\./, 'a console line of the hidden work reached the client');
  }
}

/** The two Delve generations (1.27 with hit counts, 1.20 without) that fast mode's live reading meets. */
const generations = [GO_INSTALLED, GO_119];

describe('fast mode in a debugging session', function () {
  this.timeout(180_000);
  const pairLine = lineOf('pair');
  const stringLine = lineOf('string');

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(), [], 'no dlv, debuggee or symbolizer process is left behind');
  });

  for (const generation of generations) {
    it(`${generation.name}: counts grow while the program runs, with no stop shown, and end exact`, async function () {
      if (!generation.available()) this.skip();
      await untilUndisturbed(async () => {
        const run = await startSession(generation.env, 50);
        try {
          let ended = false;
          void run.terminated.then(() => (ended = true));
          await run.client.request('configurationDone');
          const seen: number[] = [];
          while (!ended) {
            const count = countAt(await tally(run.client), pairLine);
            if (!ended && count !== seen[seen.length - 1]) seen.push(count);
            await new Promise((r) => setTimeout(r, 50));
          }
          assert.ok(seen.filter((c) => c > 0).length >= 3, `live readings while running: ${seen.join(', ')}`);
          assert.deepEqual(seen, [...seen].sort((a, b) => a - b), 'counts only grow');
          const final = await tally(run.client);
          const oracle = readOracle(run.oracleFile);
          if (oracle.disturbed) return 'disturbed';
          assert.deepEqual([countAt(final, pairLine), countAt(final, stringLine)], [oracle.pairs, oracle.strings]);
          assertNothingHiddenLeaked(run.events, []);
        } finally {
          await run.finish();
        }
      });
    });

    it(`${generation.name}: at a user's breakpoint and after a step, counts equal the program's own`, async function () {
      if (!generation.available()) this.skip();
      await untilUndisturbed(async () => {
        const run = await startSession(generation.env, 0);
        try {
          const set = await run.client.request('setBreakpoints', { source: { path: MAIN }, breakpoints: [{ line: stringLine, condition: 'i == 20' }] });
          assert.equal((set.body as P.SetBreakpointsResponse['body']).breakpoints.length, 1, 'the client sees only its own breakpoint');
          const hit = run.client.waitFor('stopped');
          await run.client.request('configurationDone');
          const stop = (await hit) as P.StoppedEvent;
          assert.equal(stop.body.reason, 'breakpoint');
          const atBreakpoint = await tally(run.client);
          if (await evaluateNumber(run.client, 'disturbed')) return 'disturbed';
          assert.equal(countAt(atBreakpoint, pairLine), await evaluateNumber(run.client, 'pairAllocs'), 'the pair line so far');
          assert.equal(countAt(atBreakpoint, stringLine), await evaluateNumber(run.client, 'stringAllocs'), 'the string line so far');

          // Step over the string line and the line that records its delta: merged tiny allocations
          // stop the program inside the step, hidden; the client sees two plain steps.
          for (let i = 0; i < 2; i++) {
            const stepped = run.client.waitFor('stopped');
            assert.ok((await run.client.request('next', { threadId: stop.body.threadId })).success);
            assert.equal(((await stepped) as P.StoppedEvent).body.reason, 'step');
          }
          const frames = (await run.client.request('stackTrace', { threadId: stop.body.threadId, levels: 1 })).body as P.StackTraceResponse['body'];
          assert.equal(frames.stackFrames[0].line, stringLine + 2, 'the steps ended where plain Delve ends them');
          const afterStep = await tally(run.client);
          assert.equal(countAt(afterStep, stringLine), await evaluateNumber(run.client, 'stringAllocs'), 'the string line after the step');

          await run.client.request('setBreakpoints', { source: { path: MAIN }, breakpoints: [] });
          await run.client.request('continue', { threadId: stop.body.threadId });
          await run.terminated;
          const final = await tally(run.client);
          const oracle = readOracle(run.oracleFile);
          if (oracle.disturbed) return 'disturbed';
          assert.deepEqual([countAt(final, pairLine), countAt(final, stringLine)], [oracle.pairs, oracle.strings]);
          assertNothingHiddenLeaked(run.events, ['breakpoint', 'step', 'step']);
        } finally {
          await run.finish();
        }
      });
    });
  }
});
