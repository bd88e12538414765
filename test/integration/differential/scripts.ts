/**
 * The scripted sessions: each runs once against plain `dlv dap` and once through malloclens, and
 * the transcripts must match. Line numbers refer to test/fixtures/debuggee/main.go.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { ISSUE9_SCRIPTS } from './issue9Scripts';
import type { ScriptSession } from './session';

export const LINE = {
  allocInner: 20, // s := make([]int, n)
  workLoop: 28, // m[j] = j * j
  workerAlloc: 36, // sink = &node{...}
  callAlloc: 46, // x := alloc(10)
  callWork: 47, // y := work(20)
  sprintf: 48, // s := fmt.Sprintf(...)
  println: 49,
  wait: 50, // wg.Wait()
  waitLoop: 57, // sink = &node{n: i} in the "wait" loop
};

export interface Script {
  name: string;
  /** Program arguments; "wait" keeps the program alive, "panic" makes it panic. */
  programArgs?: string[];
  /** Attach to a separately started process instead of launching. */
  attach?: boolean;
  run(s: ScriptSession, pid?: number): Promise<void>;
  /** The fixture (test/fixtures/debuggee unless told). */
  program?: string;
  /** Also run on Go 1.19 with Delve 1.20.2. */
  go119?: boolean;
  /** Fails through malloclens today: a tag of knownDivergences.ts (its malloclens runs are skipped). */
  knownDivergence?: string;
  /** false: the session ends before anything could be counted (tally total 0 is fine). */
  counts?: boolean;
}

/** Where a stop is, without the parts that depend on timing. */
const placeOnly = (m: Record<string, unknown>) => ({ command: m.command, success: m.success });

export const SCRIPTS: Script[] = [
  {
    name: 'launch, run to the end, exit code',
    async run(s) {
      await s.launch();
      const exited = s.c.next('exited');
      const terminated = s.c.next('terminated');
      await s.configurationDone();
      await exited;
      await terminated;
      await s.disconnect();
    },
  },
  {
    name: 'source breakpoint: threads, stack, scopes, variables, evaluate',
    go119: true,
    async run(s) {
      await s.launch();
      await s.setLines([LINE.callWork]);
      await s.configurationDone();
      const stop = await s.stopped();
      const stack = await s.inspectStop(stop);
      await s.locals(stack);
      await s.c.call('evaluate', { expression: 'len(x)', frameId: stack.body.stackFrames[0].id, context: 'hover' });
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'next over allocating lines while other goroutines allocate',
    async run(s) {
      await s.launch();
      await s.setLines([LINE.callAlloc]);
      await s.configurationDone();
      const stop = await s.stopped();
      await s.inspectStop(stop);
      for (let i = 0; i < 4; i++) await s.step('next', stop.body.threadId!);
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'step in, next inside, step out, next',
    go119: true,
    async run(s) {
      await s.launch();
      await s.setLines([LINE.callAlloc]);
      await s.configurationDone();
      const stop = await s.stopped();
      const g = stop.body.threadId!;
      await s.step('stepIn', g);
      await s.step('next', g);
      await s.step('stepOut', g);
      await s.step('next', g);
      await s.step('stepIn', g); // into work()
      await s.step('next', g);
      await s.step('next', g);
      await s.step('stepOut', g);
      await s.toEnd(g);
      await s.disconnect();
    },
  },
  {
    name: 'function breakpoint, then step out of it',
    go119: true, // (not the restart script: Delve 1.20's restart sends no initialized event)
    async run(s) {
      await s.launch();
      await s.c.call('setFunctionBreakpoints', { breakpoints: [{ name: 'main.work' }] });
      await s.configurationDone();
      const stop = await s.stopped();
      await s.inspectStop(stop);
      await s.step('stepOut', stop.body.threadId!);
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'conditional breakpoint in an allocating loop',
    async run(s) {
      await s.launch();
      await s.setLines([{ line: LINE.workLoop, condition: 'j == 5' }]);
      await s.configurationDone();
      const stop = await s.stopped();
      const stack = await s.inspectStop(stop);
      await s.c.call('evaluate', { expression: 'j', frameId: stack.body.stackFrames[0].id, context: 'watch' });
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'hit-count breakpoints on a line and a function',
    async run(s) {
      await s.launch();
      await s.setLines([{ line: LINE.workLoop, hitCondition: '>= 17' }]);
      await s.c.call('setFunctionBreakpoints', { breakpoints: [{ name: 'main.alloc', hitCondition: '1' }] });
      await s.configurationDone();
      let stop = await s.stopped();
      for (let i = 0; i < 3; i++) {
        const stack = await s.inspectStop(stop);
        await s.c.call('evaluate', { expression: 'runtime.curg.goid', frameId: stack.body.stackFrames[0].id, context: 'watch' });
        await s.continue(stop.body.threadId);
        stop = await s.stopped();
      }
      await s.inspectStop(stop);
      // Cleared while stopped, so that nothing races the program to its next hit.
      await s.setLines([]);
      await s.c.call('setFunctionBreakpoints', { breakpoints: [] });
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'breakpoints set, changed and removed while stopped',
    async run(s) {
      await s.launch();
      await s.setLines([LINE.callAlloc, LINE.sprintf]);
      await s.c.call('setFunctionBreakpoints', { breakpoints: [{ name: 'main.alloc' }, { name: 'main.nosuchfunction' }] });
      await s.configurationDone();
      let stop = await s.stopped();
      await s.inspectStop(stop);
      await s.setLines([{ line: LINE.callWork, condition: 'len(x) == 10' }, LINE.sprintf]);
      await s.c.call('setFunctionBreakpoints', { breakpoints: [] });
      await s.continue(stop.body.threadId);
      stop = await s.stopped();
      await s.inspectStop(stop);
      await s.setLines([LINE.println]);
      await s.continue(stop.body.threadId);
      stop = await s.stopped();
      await s.inspectStop(stop);
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'debug console: call a function that allocates, evaluate, then step',
    go119: true,
    async run(s) {
      await s.launch();
      await s.setLines([LINE.callWork]);
      await s.configurationDone();
      const stop = await s.stopped();
      const stack = await s.inspectStop(stop);
      const frameId = stack.body.stackFrames[0].id;
      await s.c.call('evaluate', { expression: 'call alloc(3)', frameId, context: 'repl' });
      await s.c.call('evaluate', { expression: 'call work(4)', frameId, context: 'repl' });
      await s.c.call('evaluate', { expression: 'x', frameId, context: 'repl' });
      await s.step('next', stop.body.threadId!);
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'logpoint beside the hidden breakpoints',
    async run(s) {
      await s.launch();
      await s.setLines([{ line: LINE.sprintf, logMessage: 'x has {len(x)}, y is {y}' }]);
      const terminated = s.c.next('terminated');
      await s.configurationDone();
      await terminated;
      await s.disconnect();
    },
  },
  {
    name: 'pause while the program runs and allocates',
    programArgs: ['wait'],
    async run(s) {
      await s.launch({ args: ['wait'] });
      await s.configurationDone();
      await new Promise((r) => setTimeout(r, 1500));
      // Where a pause lands depends on timing; that it lands, and how, must not.
      s.c.reduceEvents((e) => (e.event === 'stopped' ? { event: 'stopped', reason: (e.body as P.StoppedEvent['body']).reason, allThreadsStopped: (e.body as P.StoppedEvent['body']).allThreadsStopped } : undefined));
      await s.c.call('pause', { threadId: 1 });
      const stop = await s.stopped();
      s.c.reduceEvents(undefined);
      await s.c.call('threads', undefined, placeOnly);
      await s.c.call('stackTrace', { threadId: stop.body.threadId, levels: 1 }, placeOnly);
      await s.disconnect(true);
    },
  },
  {
    name: 'unrecovered panic: exception stop, exception info, exit status',
    programArgs: ['panic'],
    async run(s) {
      await s.launch({ args: ['panic'] });
      await s.configurationDone();
      const stop = await s.stopped();
      await s.inspectStop(stop);
      await s.c.call('exceptionInfo', { threadId: stop.body.threadId });
      const exited = s.c.next('exited');
      await s.toEnd(stop.body.threadId);
      await exited;
      await s.disconnect();
    },
  },
  {
    name: 'restart, then the breakpoints still stop the new run',
    async run(s) {
      await s.launch();
      await s.setLines([LINE.callWork]);
      await s.configurationDone();
      let stop = await s.stopped();
      await s.inspectStop(stop);
      const initialized = s.c.next('initialized');
      await s.c.call('restart', { arguments: s.launchArgs() });
      await initialized;
      await s.configurationDone();
      stop = await s.stopped();
      await s.inspectStop(stop);
      await s.toEnd(stop.body.threadId);
      await s.disconnect();
    },
  },
  {
    name: 'disconnect mid-run, terminating the debuggee',
    programArgs: ['wait'],
    async run(s) {
      await s.launch({ args: ['wait'] });
      await s.setLines([LINE.waitLoop]);
      await s.configurationDone();
      const stop = await s.stopped();
      await s.inspectStop(stop);
      await s.disconnect(true);
    },
  },
  {
    name: 'attach to a local process, break, detach',
    attach: true,
    async run(s, pid) {
      await s.attach(pid!);
      await s.setLines([LINE.waitLoop]);
      await s.configurationDone();
      const stop = await s.stopped();
      const stack = await s.inspectStop(stop);
      await s.c.call('evaluate', { expression: 'i >= 0', frameId: stack.body.stackFrames[0].id, context: 'watch' });
      await s.step('next', stop.body.threadId!); // over the allocating line
      await s.setLines([]);
      await s.disconnect(false);
    },
  },
  ...ISSUE9_SCRIPTS,
];
