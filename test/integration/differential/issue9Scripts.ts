/**
 * Scripted sessions for the defects users reported in issue 9 (console calls that stop or are
 * refused, stepping at a `go` statement, breakpoints changed while the program runs), plus data,
 * function, conditional and hit-count breakpoints. Each is written to Delve's behaviour; the ones
 * that fail through malloclens today carry `knownDivergence` (see knownDivergences.ts).
 * Line names refer to the `// L:name` marks of test/fixtures/diffcalls/main.go.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as path from 'node:path';
import { FIXTURES } from '../helpers';
import type { Script } from './scripts';
import type { ScriptSession } from './session';

/** test/fixtures/diffcalls: build/mk for console calls, a `go` statement, a background allocator. */
export const DIFFCALLS = path.join(FIXTURES, 'diffcalls');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The top frame of a stop (after the usual threads + stackTrace a client sends). */
/** The common opening: launch, these line breakpoints, run to the first stop, look at it. */
async function stopAt(s: ScriptSession, lines: Parameters<ScriptSession['setLines']>[0]): Promise<P.StoppedEvent> {
  await s.launch();
  await s.setLines(lines);
  await s.configurationDone();
  const stop = await s.stopped();
  await topFrame(s, stop);
  return stop;
}

async function topFrame(s: ScriptSession, stop: P.StoppedEvent): Promise<number> {
  const stack = await s.inspectStop(stop);
  return stack.body?.stackFrames?.[0]?.id ?? 0;
}

/** Clears every breakpoint while stopped, then runs to the end. */
async function clearAndEnd(s: ScriptSession, threadId?: number): Promise<void> {
  await s.setLines([]);
  await s.c.call('setFunctionBreakpoints', { breakpoints: [] });
  await s.toEnd(threadId);
  await s.disconnect();
}

export const ISSUE9_SCRIPTS: Script[] = [
  {
    name: 'issue 9a: a debug-console call that stops at a breakpoint inside the called function',
    program: DIFFCALLS,
    go119: true,
    async run(s) {
      await s.launch();
      await s.setLines([s.line('callAggregate')]);
      await s.configurationDone();
      let stop = await s.stopped();
      const frameId = await topFrame(s, stop);
      await s.setLines([s.line('callAggregate'), s.line('buildAppend')]);
      // Delve answers the evaluate (the call did not return) and reports a stop inside build.
      const inBuild = s.stopped();
      await s.c.call('evaluate', { expression: 'call build(2)', frameId, context: 'repl' });
      stop = await inBuild;
      const inner = await topFrame(s, stop);
      await s.c.call('evaluate', { expression: 'n', frameId: inner, context: 'repl' });
      await s.setLines([s.line('callAggregate')]);
      // The call returns: the program stops once more, where the call was made.
      await s.continue(stop.body.threadId);
      stop = await s.stopped();
      await topFrame(s, stop);
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'issue 9b: a console call while another goroutine allocates, then evaluate',
    program: DIFFCALLS,
    async run(s) {
      await s.launch();
      await s.setLines([s.line('callAggregate')]);
      await s.configurationDone();
      const stop = await s.stopped();
      const frameId = await topFrame(s, stop);
      await s.c.call('evaluate', { expression: 'call mk(3)', frameId, context: 'repl' });
      await s.c.call('evaluate', { expression: 'len(recs)', frameId, context: 'repl' });
      await s.c.call('evaluate', { expression: 'call mk(2)', frameId, context: 'repl' });
      await s.c.call('evaluate', { expression: 'recs[1]', frameId, context: 'watch' });
      await s.step('next', stop.body.threadId!);
      await clearAndEnd(s, stop.body.threadId);
    },
  },
  {
    name: 'issue 9c: a console call Delve refuses, then stepOut and setFunctionBreakpoints',
    program: DIFFCALLS,
    go119: true,
    async run(s) {
      await s.launch();
      await s.setLines([s.line('buildReturn')]);
      await s.configurationDone();
      const stop = await s.stopped();
      const frameId = await topFrame(s, stop);
      await s.c.call('evaluate', { expression: 'call unused(1)', frameId, context: 'repl' });
      await s.step('stepOut', stop.body.threadId!);
      await s.c.call('setFunctionBreakpoints', { breakpoints: [{ name: 'main.aggregate' }] });
      await s.c.call('evaluate', { expression: 'call mkk(3)', frameId, context: 'repl' });
      await s.setLines([]);
      await s.continue(stop.body.threadId);
      const atAggregate = await s.stopped();
      await topFrame(s, atAggregate);
      await clearAndEnd(s, atAggregate.body.threadId);
    },
  },
  {
    name: 'issue 9d: stepIn at a go statement lands in the new goroutine',
    program: DIFFCALLS,
    async run(s) {
      const stop = await stopAt(s, [s.line('go')]);
      const inGoroutine = await s.step('stepIn', stop.body.threadId!);
      await s.step('next', inGoroutine.body.threadId!);
      await clearAndEnd(s, inGoroutine.body.threadId);
    },
  },
  {
    name: 'issue 9d: next at a go statement lands on the next line',
    program: DIFFCALLS,
    async run(s) {
      const stop = await stopAt(s, [s.line('go')]);
      await s.step('next', stop.body.threadId!);
      await s.step('next', stop.body.threadId!);
      await clearAndEnd(s, stop.body.threadId);
    },
  },
  {
    name: 'issue 9e: breakpoints added and removed while the program runs',
    program: DIFFCALLS,
    programArgs: ['linger'],
    async run(s) {
      await s.launch({ args: ['linger'] });
      await s.configurationDone();
      await sleep(800);
      // Added while running: the program stops there.
      await s.setLines([s.line('linger')]);
      const stop = await s.stopped();
      await topFrame(s, stop);
      // Moved to the end while stopped, then removed while running: no stop, the program ends.
      await s.setLines([s.line('done')]);
      const terminated = s.c.next('terminated');
      await s.continue(stop.body.threadId);
      await sleep(500);
      await s.setLines([]);
      await terminated;
      await s.disconnect();
    },
  },
  {
    // Found while triaging random seed 11: a step that ends on a line whose hit-count breakpoint does not fire.
    name: 'next onto a line whose hit-count breakpoint does not fire',
    program: DIFFCALLS,
    go119: true,
    async run(s) {
      const stop = await stopAt(s, [s.line('afterGo')]);
      await s.setLines([s.line('afterGo'), { line: s.line('afterGo') + 1, hitCondition: '% 2' }]);
      await s.step('next', stop.body.threadId!);
      await s.step('next', stop.body.threadId!);
      await clearAndEnd(s, stop.body.threadId);
    },
  },
  {
    // Found by random seeds 25 and 26: what becomes of function breakpoints at a restart.
    name: 'restart with function breakpoints (random seeds 25, 26)',
    program: DIFFCALLS,
    async run(s) {
      await s.launch();
      await s.setLines([s.line('afterGo')]);
      await s.c.call('setFunctionBreakpoints', { breakpoints: [{ name: 'main.aggregate' }, { name: 'main.mk', condition: 'n == 1' }] });
      await s.configurationDone();
      let stop = await s.stopped();
      await topFrame(s, stop);
      const initialized = s.c.next('initialized');
      await s.c.call('restart', { arguments: s.launchArgs() });
      await initialized;
      await s.configurationDone();
      stop = await s.stopped();
      await topFrame(s, stop);
      await s.setLines([]);
      for (let i = 0; i < 3; i++) {
        const next = s.c.nextOf(['stopped', 'terminated']);
        await s.continue(stop.body.threadId);
        const e = await next;
        if (e.event === 'terminated') break;
        stop = e as P.StoppedEvent;
        await topFrame(s, stop);
      }
      await s.disconnect();
    },
  },
  {
    name: 'data breakpoint on a variable, watched while it changes',
    program: DIFFCALLS,
    go119: true,
    async run(s) {
      await s.initialize();
      const capabilities = s.c.responses[s.c.responses.length - 1].message.body as P.Capabilities | undefined;
      const initialized = s.c.next('initialized');
      await s.c.call('launch', s.launchArgs({ showGlobalVariables: true }));
      await initialized;
      await s.setLines([s.line('aggregate')]);
      await s.configurationDone();
      const stop = await s.stopped();
      const frameId = await topFrame(s, stop);
      const scopes = (await s.c.call('scopes', { frameId })) as P.ScopesResponse;
      const globals = scopes.body?.scopes?.find((scope) => scope.name.startsWith('Globals'))?.variablesReference ?? 0;
      // (The globals are not listed: `sink` is what the background goroutine last allocated, or nil.)
      const info = (await s.c.call('dataBreakpointInfo', { variablesReference: globals, name: 'counter' })) as P.DataBreakpointInfoResponse;
      if (capabilities?.supportsDataBreakpoints && info.body?.dataId) {
        await s.setLines([]);
        await s.c.call('setDataBreakpoints', { breakpoints: [{ dataId: info.body.dataId, accessType: 'write' }] });
        for (let i = 0; i < 3; i++) {
          await s.continue(stop.body.threadId);
          const hit = await s.stopped();
          const frame = await topFrame(s, hit);
          await s.c.call('evaluate', { expression: 'total', frameId: frame, context: 'watch' });
        }
        await s.c.call('setDataBreakpoints', { breakpoints: [] });
      }
      await clearAndEnd(s, stop.body.threadId);
    },
  },
  {
    name: 'function breakpoint with a condition, hit-count breakpoints in a called function',
    program: DIFFCALLS,
    go119: true,
    async run(s) {
      await s.launch();
      await s.c.call('setFunctionBreakpoints', { breakpoints: [{ name: 'main.build', condition: 'n == 4' }, { name: 'main.mk', hitCondition: '1' }] });
      await s.setLines([{ line: s.line('buildAppend'), hitCondition: '% 3' }, { line: s.line('counter'), condition: 'counter == 2', hitCondition: '>= 1' }]);
      await s.configurationDone();
      let stop = await s.stopped();
      for (let i = 0; i < 6; i++) {
        const frameId = await topFrame(s, stop);
        await s.c.call('evaluate', { expression: 'n', frameId, context: 'watch' });
        await s.c.call('evaluate', { expression: 'counter', frameId, context: 'watch' });
        await s.continue(stop.body.threadId);
        stop = await s.stopped();
      }
      await topFrame(s, stop);
      await clearAndEnd(s, stop.body.threadId);
    },
  },
];
