/**
 * One differential session against one engine (plain Delve, or malloclens with the breakpoint
 * engine or fast mode), and the comparison of two sessions' transcripts. Shared by the scripted
 * sessions (differential.test.ts) and the generated ones (random.test.ts).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import type { MallocReport } from '../../../src/core/report';
import { parseVersion } from '../../../src/core/versions';
import { locateDelve } from '../../../src/dap/delveLocator';
import { buildProgram } from '../../../src/dap/goToolchain';
import { run } from '../../../src/dap/processes';
import { GoGeneration, markedEnv } from '../helpers';
import { adapterOf, Engine, engineArgs, startAdapter } from './adapters';
import { normalize } from './normalize';
import { RecordingClient, TranscriptEntry } from './recordingClient';
import { DEBUGGEE, ScriptSession } from './session';

export interface Outcome {
  engine: Engine;
  events: TranscriptEntry[];
  responses: TranscriptEntry[];
  tally?: MallocReport;
  tallyEvents: number;
  /** What the body threw (a wait that timed out, say): part of the comparison. */
  error?: string;
  /** Delve's or malloclens's own output after its listening line, and the debuggee's. */
  output: string;
  ms: number;
}

export interface SessionPlan {
  program?: string;
  /** Start the program (built from `program`, with `attachArgs`) and attach to it. */
  attach?: boolean;
  attachArgs?: string[];
  body(s: ScriptSession, pid?: number): Promise<void>;
  /** Tune the client before the session starts (timeouts). */
  client?(c: RecordingClient): void;
}

/** The Delve a generation debugs with (installed into malloclens's cache when missing). */
export async function delveFor(generation: GoGeneration): Promise<string> {
  const env = { ...process.env, ...generation.env };
  const go = await run('go', ['env', 'GOVERSION'], { env });
  return (await locateDelve({ go: parseVersion(go.stdout)!, install: true, env })).path;
}

export async function runSession(engine: Engine, plan: SessionPlan, dlvPath: string, env: NodeJS.ProcessEnv, work: string): Promise<Outcome> {
  const started = Date.now();
  const program = plan.program ?? DEBUGGEE;
  let target: ReturnType<typeof spawn> | undefined;
  if (plan.attach) {
    const built = await buildProgram({ target: program, test: false, optimized: false, output: path.join(work, 'attach-target'), env: { ...process.env, ...env } });
    target = spawn(built.binary, plan.attachArgs ?? ['wait'], { env: markedEnv({ ...env, GOMAXPROCS: '1' }), stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
  }
  const adapter = await startAdapter(adapterOf(engine), dlvPath, program, env);
  const client = new RecordingClient();
  plan.client?.(client);
  const outcome: Outcome = { engine, events: client.events, responses: client.responses, tallyEvents: 0, output: '', ms: 0 };
  try {
    await client.start(adapter.port);
    const session = new ScriptSession(client, path.join(work, 'debuggee'), { program, engineArgs: engineArgs(engine) });
    if (engine !== 'delve') {
      session.beforeDisconnect = async () => {
        const tally = await client.quiet('malloclens/tally');
        if (tally.success) outcome.tally = tally.body as MallocReport;
      };
    }
    try {
      await plan.body(session, target?.pid);
    } catch (e) {
      outcome.error = (e as Error).message;
      // The session is cut short: still end it, so that nothing is left running.
      if (engine !== 'delve' && !outcome.tally) await session.beforeDisconnect?.().catch(() => undefined);
      client.requestTimeoutMs = 5000;
      client.broken = undefined;
      await client.quiet('disconnect', { terminateDebuggee: true });
    }
    outcome.tallyEvents = client.tallyEvents.length;
    return outcome;
  } finally {
    // Delve says `terminated` after its disconnect response, then closes: wait for that, so the
    // transcript does not depend on how fast it does.
    const socket = (client as unknown as { _socket?: import('node:net').Socket })._socket;
    if (socket && !socket.destroyed) await Promise.race([new Promise((r) => socket.once('close', r)), new Promise((r) => setTimeout(r, 3000))]);
    socket?.destroy();
    await adapter.stop();
    target?.kill('SIGKILL');
    outcome.output = adapter.programOutput();
    outcome.ms = Date.now() - started;
  }
}

export interface Difference {
  /** `events`, `responses` or `error`. */
  part: string;
  index: number;
  /** What the expected session was doing at that entry (random sessions: the action). */
  during?: string;
  expected: unknown;
  actual: unknown;
}

/** JSON with every object's keys sorted: the order of a message's keys means nothing in DAP. */
function canonical(value: unknown): string {
  const sort = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(sort);
    if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, sort((v as Record<string, unknown>)[k])]));
    return v;
  };
  return JSON.stringify(sort(value));
}

/** The first entry where two sessions' normalised transcripts differ, if any. */
export function firstDifference(expected: Outcome, actual: Outcome): Difference | undefined {
  for (const part of ['events', 'responses'] as const) {
    const a = normalize(expected[part]).map(canonical);
    const b = normalize(actual[part]).map(canonical);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if (a[i] !== b[i]) return { part, index: i, during: expected[part][Math.min(i, expected[part].length - 1)]?.during, expected: a[i] ? JSON.parse(a[i]) : '(nothing)', actual: b[i] ? JSON.parse(b[i]) : '(nothing)' };
    }
  }
  if ((expected.error ?? '') !== (actual.error ?? '')) return { part: 'error', index: 0, expected: expected.error ?? '(none)', actual: actual.error ?? '(none)' };
  return undefined;
}

export function describeDifference(d: Difference, expectedName: string, actualName: string): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v)).slice(0, 600);
  return `${d.part}[${d.index}] differ${d.during ? ` (during ${d.during})` : ''}:\n  ${expectedName}: ${show(d.expected)}\n  ${actualName}: ${show(d.actual)}`;
}
