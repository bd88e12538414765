/**
 * Randomised differential sessions: from a seed, a sequence of user actions (continue, steps,
 * pause, breakpoints of every kind set, changed and removed, evaluate, variables, console calls,
 * one that stops among them, restart) over the fixtures, each action valid for the state the
 * adapter has shown so far. The choice depends only on the seed and on what the adapter said
 * (where a stop is, whether the program ended, whether a call stopped), so plain Delve run twice
 * gives the same sequence, and a divergence through malloclens shows as the first transcript entry
 * that differs.
 *
 * What timing decides is kept out: user breakpoints go only on code the main goroutine runs (the
 * goroutines that allocate meanwhile run code of their own), steps are taken only on the main
 * goroutine, and a pause ends the session (where it lands is reduced to its reason).
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as path from 'node:path';
import { FIXTURES } from '../helpers';
import { markedLine, ScriptSession } from './session';

/** mulberry32: a small seeded PRNG, the same numbers for the same seed everywhere. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LineSpot {
  line: number;
  /** The function the line is in (`main.build`). */
  fn: string;
  conditions: string[];
}

interface FixtureModel {
  name: string;
  program: string;
  /** Arguments that keep the program running long enough to pause it (none: no pause). */
  lingerArgs?: string[];
  spots: LineSpot[];
  functions: { name: string; conditions: string[] }[];
  /** Expressions worth evaluating per function (deterministic at any stop in it). */
  expressions: Record<string, string[]>;
  /** Console calls that return (unless a breakpoint is in the callee stops them). */
  calls: string[];
  /** Console calls Delve refuses (no such function, or the linker dropped it). */
  refusedCalls: string[];
  /** A console call that stops: a breakpoint line inside the callee, and the call. */
  stoppingCall?: { line: number; call: string; inside: string[] };
  /**
   * Lines with a `go` statement: no stepIn there (it races the new goroutine against the caller's
   * next breakpoint, even in plain Delve; the scripts of issue 9d cover it).
   */
  goLines: number[];
  /** Functions whose locals show what other goroutines did (a WaitGroup's state): no `variables` there. */
  noVariables?: string[];
}

const DEBUGGEE = path.join(FIXTURES, 'debuggee');
const DIFFCALLS = path.join(FIXTURES, 'diffcalls');
const L = (name: string) => markedLine(DIFFCALLS, name);

/** Line numbers of test/fixtures/debuggee/main.go (see LINE in scripts.ts). */
function debuggeeModel(): FixtureModel {
  return {
    name: 'debuggee',
    program: DEBUGGEE,
    spots: [
      { line: 20, fn: 'main.alloc', conditions: ['n == 10', 'n > 100'] },
      { line: 28, fn: 'main.work', conditions: ['j == 5', 'j % 7 == 3', 'limit == 20'] },
      { line: 44, fn: 'main.main', conditions: ['g == 1'] },
      { line: 46, fn: 'main.main', conditions: [] },
      { line: 47, fn: 'main.main', conditions: ['len(x) == 10'] },
      { line: 48, fn: 'main.main', conditions: ['y == 20'] },
      { line: 50, fn: 'main.main', conditions: [] },
    ],
    functions: [
      { name: 'main.alloc', conditions: ['n == 10', 'n == 3'] },
      { name: 'main.work', conditions: ['limit > 0'] },
      { name: 'main.nosuchfunction', conditions: [] },
    ],
    expressions: {
      'main.alloc': ['n', 'n * 2'],
      'main.work': ['limit', 'j', 'len(m)'],
      'main.main': ['1 + 2', 'len(os.Args)'],
    },
    calls: ['call alloc(3)', 'call work(4)'],
    refusedCalls: ['call nosuch(1)'],
    noVariables: ['main.main'],
    goLines: [44],
  };
}

function diffcallsModel(): FixtureModel {
  return {
    name: 'diffcalls',
    program: DIFFCALLS,
    lingerArgs: ['linger', '150'],
    spots: [
      { line: L('buildMake'), fn: 'main.build', conditions: ['n == 3', 'n > 4'] },
      { line: L('buildAppend'), fn: 'main.build', conditions: ['i == 1', 'n == 5 && i == 3'] },
      { line: L('buildReturn'), fn: 'main.build', conditions: ['len(s) == 4'] },
      { line: L('aggregate'), fn: 'main.aggregate', conditions: [] },
      { line: L('counter'), fn: 'main.aggregate', conditions: ['counter == 2', 'total > 10'] },
      { line: L('go'), fn: 'main.main', conditions: [] },
      { line: L('afterGo'), fn: 'main.main', conditions: [] },
      { line: L('round'), fn: 'main.main', conditions: ['round == 2'] },
      { line: L('callAggregate'), fn: 'main.main', conditions: ['len(recs) == 4'] },
      { line: L('print'), fn: 'main.main', conditions: [] },
      { line: L('done'), fn: 'main.main', conditions: [] },
    ],
    functions: [
      { name: 'main.build', conditions: ['n == 4', 'n < 3'] },
      { name: 'main.mk', conditions: ['n == 1'] },
      { name: 'main.aggregate', conditions: [] },
      { name: 'main.nosuchfunction', conditions: [] },
    ],
    expressions: {
      'main.build': ['n', 'len(s)', 'cap(s)', 'len(recs)'],
      'main.mk': ['n', 'len(recs)'],
      'main.aggregate': ['len(rs)', 'counter', 'rs[0]'],
      'main.main': ['len(recs)', 'counter', 'recs'],
    },
    calls: ['call mk(3)', 'call build(2)'],
    refusedCalls: ['call unused(1)', 'call mkk(3)'],
    stoppingCall: { line: L('buildAppend'), call: 'call build(2)', inside: ['n', 'i', 'len(s)'] },
    goLines: [L('go')],
  };
}

export const FIXTURE_MODELS = (): FixtureModel[] => [debuggeeModel(), diffcallsModel()];

type Bp = { condition?: string; hitCondition?: string };

/** Where the program is, as far as the client can tell. */
interface Place {
  state: 'stopped' | 'ended';
  threadId?: number;
  fn?: string;
  file?: string;
  line?: number;
  /** Frames on the stopped goroutine's stack (from the stack trace). */
  depth?: number;
}

const MAIN_GOROUTINE = 1;

/**
 * A debug build lists a function's unnamed results (`~r0`) among its locals before they are set:
 * whatever the stack slot held, different in any two runs. Their values are left out.
 */
function unsetResults(m: Record<string, unknown>): Record<string, unknown> {
  const body = m.body as P.VariablesResponse['body'] | undefined;
  if (!body?.variables) return m;
  const variables = body.variables.map((v) => {
    if (v.name.startsWith('~r')) return { name: v.name, type: v.type, value: '(not yet set)' };
    if (/WaitGroup/.test(v.type ?? '')) return { ...v, value: `${v.type} (state depends on scheduling)` };
    if (v.type?.startsWith('map[')) return { ...v, value: sortedMap(v.value), variablesReference: v.variablesReference > 0 ? 'map' : 0 };
    return v;
  });
  return { ...m, body: { ...body, variables } };
}

function namesOnly(m: Record<string, unknown>): Record<string, unknown> {
  const body = m.body as P.VariablesResponse['body'] | undefined;
  if (!body?.variables) return m;
  return { ...m, body: { ...body, variables: body.variables.map((v) => ({ name: v.name, type: v.type })) } };
}

/**
 * Go randomises map iteration, and Delve shows a map's entries in that order: "map[int]int [3: 9,
 * 0: 0, ]" and "map[int]int [0: 0, 3: 9, ]" are the same map. Entries sorted (flat maps only).
 */
function sortedMap(value: string): string {
  const m = /^(map\[[^\]]*\]\S*) \[(.*)\]$/.exec(value);
  if (!m || /[[\]{}]/.test(m[2])) return `${value.split(' [')[0]} (entries not compared)`;
  const entries = m[2].split(', ').filter((e) => e.trim() !== '').sort();
  return `${m[1]} [${entries.join(', ')}]`;
}
const HIT_CONDITIONS = ['2', '>= 3', '% 2', '1'];

export interface RandomPlan {
  seed: number;
  fixture: string;
  linger: boolean;
  actions: number;
}

/** What the first numbers of a seed decide before the session starts. */
export function planFor(seed: number, actions: number): RandomPlan {
  const rnd = mulberry32(seed);
  const models = FIXTURE_MODELS();
  const model = models[Math.floor(rnd() * models.length)];
  const linger = model.lingerArgs !== undefined && rnd() < 0.3;
  return { seed, fixture: model.name, linger, actions };
}

/**
 * Runs the seed's session. `log` gets one line per action (what was done, where it ended), for
 * the report of a divergence.
 */
export async function randomSession(s: ScriptSession, plan: RandomPlan, log: string[]): Promise<void> {
  const rnd = mulberry32(plan.seed);
  // The same first draws as planFor.
  const models = FIXTURE_MODELS();
  const model = models[Math.floor(rnd() * models.length)];
  if (model.lingerArgs !== undefined) rnd();
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const chance = (p: number) => rnd() < p;

  const lines = new Map<number, Bp>();
  const functions = new Map<string, Bp>();
  const c = s.c;
  const args = plan.linger ? model.lingerArgs! : [];

  const sendLines = () => s.setLines([...lines.entries()].sort((a, b) => a[0] - b[0]).map(([line, bp]) => ({ line, ...bp })));
  const sendFunctions = () => c.call('setFunctionBreakpoints', { breakpoints: [...functions.entries()].map(([name, bp]) => ({ name, ...bp })) });
  const randomBp = (conditions: string[]): Bp => {
    const bp: Bp = {};
    if (conditions.length > 0 && chance(0.35)) bp.condition = pick(conditions);
    if (chance(0.25)) bp.hitCondition = pick(HIT_CONDITIONS);
    return bp;
  };

  /** threads + stackTrace, as a client does at every stop; what the top frame says is the place. */
  const look = async (stop: P.StoppedEvent, fallbackThread?: number): Promise<Place> => {
    const threadId = stop.body.threadId ?? fallbackThread;
    const stack = await s.inspectStop(stop);
    const top = stack.body?.stackFrames?.[0];
    return { state: 'stopped', threadId, fn: top?.name, file: top?.source?.path, line: top?.line, depth: stack.body?.stackFrames?.length };
  };
  /** After the program was let run: the stop it comes to, or its end. */
  const settle = async (fallbackThread?: number): Promise<Place> => {
    const e = await c.nextOf(['stopped', 'terminated']);
    if (e.event === 'terminated') return { state: 'ended' };
    return look(e as P.StoppedEvent, fallbackThread);
  };
  const describe = (p: Place) => (p.state === 'ended' ? 'ended' : `g${p.threadId} ${p.fn}:${p.line}`);

  // Launch, some breakpoints, run.
  c.during = 'launch';
  await s.launch({ args });
  const initial = 2 + Math.floor(rnd() * 3);
  for (let i = 0; i < initial; i++) {
    if (chance(0.7)) {
      const spot = pick(model.spots);
      lines.set(spot.line, randomBp(spot.conditions));
    } else {
      const fn = pick(model.functions);
      functions.set(fn.name, randomBp(fn.conditions));
    }
  }
  if (lines.size > 0) await sendLines();
  if (functions.size > 0) await sendFunctions();
  await s.configurationDone();
  log.push(`launch ${model.name}${plan.linger ? ' linger' : ''}, lines ${JSON.stringify([...lines])}, functions ${JSON.stringify([...functions])}`);
  let place = await settle(MAIN_GOROUTINE);
  log.push(`  -> ${describe(place)}`);

  const inUserCode = (p: Place) => p.file !== undefined && p.file.startsWith(model.program + path.sep);
  const onMain = (p: Place) => p.threadId === MAIN_GOROUTINE;

  for (let step = 0; step < plan.actions && place.state === 'stopped'; step++) {
    const here = place;
    const user = inUserCode(here);
    const main = onMain(here);
    const choices: [number, string][] = [
      [3, 'continue'],
      [2, 'evaluate'],
      ...(model.noVariables?.includes(here.fn ?? '') ? [] : [[1, 'variables'] as [number, string]]),
      [3, 'line breakpoint'],
      [1, 'function breakpoint'],
      [1, 'remove breakpoint'],
    ];
    if (main && user) choices.push([4, 'next'], ...(model.goLines.includes(here.line ?? 0) ? [] : [[2, 'stepIn'] as [number, string]]), [1, 'call'], [1, 'restart']);
    if (main && user && model.refusedCalls.length > 0) choices.push([0.3, 'refused call']);
    if (main && here.fn !== 'main.main' && (here.depth ?? 0) > 2 && (user || here.fn?.startsWith('fmt.'))) choices.push([2, 'stepOut']);
    if (main && user && model.stoppingCall && here.fn === 'main.main') choices.push([0.4, 'call that stops']);
    if (main && plan.linger) choices.push([1, 'pause']);
    const total = choices.reduce((n, [w]) => n + w, 0);
    let r = rnd() * total;
    const action = choices.find(([w]) => (r -= w) < 0)![1];
    c.during = `action ${step + 1} ${action} at ${describe(here)}`;
    const frameId = async () => {
      const stack = (await c.call('stackTrace', { threadId: here.threadId, startFrame: 0, levels: 1 })) as P.StackTraceResponse;
      return stack.body?.stackFrames?.[0]?.id;
    };

    switch (action) {
      case 'continue':
        await c.call('continue', { threadId: here.threadId });
        place = await settle(here.threadId);
        break;
      case 'next':
      case 'stepIn':
      case 'stepOut':
        await c.call(action, { threadId: here.threadId });
        place = await settle(here.threadId);
        break;
      case 'evaluate': {
        const expressions = model.expressions[here.fn ?? ''] ?? ['1 + 2'];
        const expression = pick(expressions);
        await c.call('evaluate', { expression, frameId: await frameId(), context: pick(['repl', 'watch', 'hover']) });
        log.push(`evaluate ${expression}`);
        continue;
      }
      case 'variables': {
        const id = await frameId();
        const scopes = (await c.call('scopes', { frameId: id })) as P.ScopesResponse;
        const locals = scopes.body?.scopes?.[0]?.variablesReference;
        if (locals) {
          // Outside the fixture's code (fmt, runtime) a stop is often at a function's entry, where
          // its named results are still stack garbage: there only names and types are compared.
          const vars = (await c.call('variables', { variablesReference: locals }, user ? unsetResults : namesOnly)) as P.VariablesResponse;
          const nested = vars.body?.variables?.find((v) => v.variablesReference > 0 && !v.name.startsWith('~r') && !v.type?.startsWith('map['));
          // (Outside the fixture's code: not expanded, one draw whatever the garbage shows.)
          const expand = user ? nested !== undefined && chance(0.5) : (chance(0.5), false);
          if (expand && nested) await c.call('variables', { variablesReference: nested.variablesReference });
        }
        log.push('variables');
        continue;
      }
      case 'line breakpoint': {
        const spot = pick(model.spots);
        lines.set(spot.line, randomBp(spot.conditions));
        await sendLines();
        log.push(`line breakpoint ${spot.line} ${JSON.stringify(lines.get(spot.line))}`);
        continue;
      }
      case 'function breakpoint': {
        const fn = pick(model.functions);
        functions.set(fn.name, randomBp(fn.conditions));
        await sendFunctions();
        log.push(`function breakpoint ${fn.name} ${JSON.stringify(functions.get(fn.name))}`);
        continue;
      }
      case 'remove breakpoint': {
        const all = [...[...lines.keys()].map((l) => `line ${l}`), ...[...functions.keys()].map((f) => `fn ${f}`)];
        if (all.length === 0) continue;
        const gone = pick(all);
        if (gone.startsWith('line ')) {
          lines.delete(Number(gone.slice(5)));
          await sendLines();
        } else {
          functions.delete(gone.slice(3));
          await sendFunctions();
        }
        log.push(`remove ${gone}`);
        continue;
      }
      case 'call':
      case 'refused call': {
        const expression = pick(action === 'call' ? model.calls : model.refusedCalls);
        const answer = await c.call('evaluate', { expression, frameId: await frameId(), context: 'repl' });
        log.push(`${expression}: ${answer.success ? 'returned' : answer.message}`);
        // A breakpoint in the callee stops the call (Delve says so in its error).
        if (!answer.success && /call stopped/.test(JSON.stringify(answer.body ?? ''))) {
          place = await settle(here.threadId);
          log.push(`  -> stopped in the call: ${describe(place)}`);
          place = await finishCall(place, here);
        }
        continue;
      }
      case 'call that stops': {
        const sc = model.stoppingCall!;
        const had = lines.get(sc.line);
        lines.set(sc.line, {});
        await sendLines();
        const answer = await c.call('evaluate', { expression: sc.call, frameId: await frameId(), context: 'repl' });
        log.push(`${sc.call} with a breakpoint at ${sc.line}: ${answer.success ? 'returned' : answer.message}`);
        if (answer.success) continue;
        place = await settle(here.threadId);
        log.push(`  -> stopped in the call: ${describe(place)}`);
        if (place.state === 'stopped') {
          const top = (await c.call('stackTrace', { threadId: place.threadId, startFrame: 0, levels: 1 })) as P.StackTraceResponse;
          await c.call('evaluate', { expression: pick(sc.inside), frameId: top.body?.stackFrames?.[0]?.id, context: 'repl' });
        }
        if (had) lines.set(sc.line, had);
        else lines.delete(sc.line);
        await sendLines();
        place = await finishCall(place, here);
        continue;
      }
      case 'restart': {
        const initialized = c.next('initialized');
        await c.call('restart', { arguments: s.launchArgs({ args }) });
        await initialized;
        await s.configurationDone();
        place = await settle(MAIN_GOROUTINE);
        break;
      }
      case 'pause': {
        // Nothing left to stop at, then a pause into the running program, and the session ends.
        lines.clear();
        functions.clear();
        await sendLines();
        await sendFunctions();
        await c.call('continue', { threadId: here.threadId });
        await new Promise((resolve) => setTimeout(resolve, 400));
        c.reduceEvents((e) => (e.event === 'stopped' ? { event: 'stopped', reason: (e.body as P.StoppedEvent['body']).reason, allThreadsStopped: (e.body as P.StoppedEvent['body']).allThreadsStopped } : undefined));
        await c.call('pause', { threadId: MAIN_GOROUTINE });
        await c.next('stopped');
        c.reduceEvents(undefined);
        await c.call('threads', undefined, (m) => ({ command: m.command, success: m.success }));
        log.push('pause');
        await s.disconnect(true);
        return;
      }
    }
    log.push(`${action} -> ${describe(place)}`);
  }

  /** Inside a call that stopped: continue until the call is done and the program is back where it was. */
  async function finishCall(inCall: Place, before: Place): Promise<Place> {
    let p = inCall;
    for (let i = 0; i < 6 && p.state === 'stopped' && p.threadId !== undefined && p.threadId !== before.threadId; i++) {
      await c.call('continue', { threadId: p.threadId });
      p = await settle(undefined);
      log.push(`  continue in the call -> ${describe(p)}`);
    }
    // Delve reports the call's return as a stop without a goroutine: the program is where it was.
    if (p.state === 'stopped' && p.threadId === undefined) return { ...before };
    return p;
  }

  // The end: a program that can still run to its end does so; one kept running (linger) is ended.
  c.during = 'the end';
  if (place.state === 'stopped') {
    if (plan.linger) {
      await s.disconnect(true);
      return;
    }
    lines.clear();
    functions.clear();
    await sendLines();
    await sendFunctions();
    const terminated = c.next('terminated');
    await c.call('continue', { threadId: place.threadId });
    await terminated;
  }
  await s.disconnect();
}
