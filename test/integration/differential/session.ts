/** The vocabulary the differential scripts are written in: one DAP session against one adapter. */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { FIXTURES } from '../helpers';
import type { RecordingClient } from './recordingClient';

export const DEBUGGEE = path.join(FIXTURES, 'debuggee');
export const MAIN_GO = path.join(DEBUGGEE, 'main.go');

/** The 1-based line of `main.go` in a fixture that ends in `// L:<name>`. */
export function markedLine(fixtureDir: string, name: string): number {
  const lines = readFileSync(path.join(fixtureDir, 'main.go'), 'utf8').split('\n');
  const index = lines.findIndex((l) => l.trimEnd().endsWith(`// L:${name}`));
  if (index < 0) throw new Error(`no line marked L:${name} in ${fixtureDir}/main.go`);
  return index + 1;
}

export interface SessionOptions {
  /** The fixture's directory (a Go main package); test/fixtures/debuggee unless told. */
  program?: string;
  /** Merged into every launch, attach and restart request: the engine's own arguments. */
  engineArgs?: Record<string, unknown>;
}

export class ScriptSession {
  /** Runs just before the script disconnects (the harness reads malloclens's tally there). */
  beforeDisconnect?: () => Promise<void>;

  readonly program: string;
  readonly mainGo: string;
  private readonly engineArgs: Record<string, unknown>;

  constructor(readonly c: RecordingClient, private readonly binary: string, options: SessionOptions = {}) {
    this.program = options.program ?? DEBUGGEE;
    this.mainGo = path.join(this.program, 'main.go');
    this.engineArgs = options.engineArgs ?? {};
  }

  /** The line of this session's main.go marked `// L:<name>`. */
  line(name: string): number {
    return markedLine(this.program, name);
  }

  launchArgs(extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { request: 'launch', mode: 'debug', program: this.program, output: this.binary, env: { GOMAXPROCS: '1' }, ...this.engineArgs, ...extra };
  }

  async initialize(): Promise<void> {
    await this.c.call('initialize', { clientID: 'vscode', adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true, supportsVariableType: true, supportsRunInTerminalRequest: false });
  }

  /** initialize + launch (mode debug, Delve builds the fixture) + the initialized event. */
  async launch(extra: Record<string, unknown> = {}): Promise<void> {
    await this.initialize();
    const initialized = this.c.next('initialized');
    await this.c.call('launch', this.launchArgs(extra));
    await initialized;
  }

  async attach(pid: number): Promise<void> {
    await this.initialize();
    const initialized = this.c.next('initialized');
    await this.c.call('attach', { request: 'attach', mode: 'local', processId: pid, ...this.engineArgs });
    await initialized;
  }

  setLines(lines: (number | P.SourceBreakpoint)[]): Promise<P.Response> {
    const breakpoints = lines.map((l) => (typeof l === 'number' ? { line: l } : l));
    return this.c.call('setBreakpoints', { source: { path: this.mainGo, name: 'main.go' }, breakpoints });
  }

  configurationDone(): Promise<P.Response> {
    return this.c.call('configurationDone');
  }

  async stopped(): Promise<P.StoppedEvent> {
    return (await this.c.next('stopped')) as P.StoppedEvent;
  }

  /**
   * What a client does at every stop: threads, then the stopped goroutine's top frames. Which other
   * goroutines exist, and where they are, depends on scheduling (timing); the stopped one must match.
   */
  async inspectStop(event: P.StoppedEvent, levels = 5): Promise<P.StackTraceResponse> {
    await this.c.call('threads', undefined, (m) => {
      const threads = ((m.body as P.ThreadsResponse['body'] | undefined)?.threads ?? []);
      return { command: m.command, success: m.success, stopped: threads.filter((t) => t.id === event.body.threadId) };
    });
    return (await this.c.call('stackTrace', { threadId: event.body.threadId, startFrame: 0, levels })) as P.StackTraceResponse;
  }

  async locals(stack: P.StackTraceResponse): Promise<void> {
    const frame = stack.body?.stackFrames?.[0];
    if (!frame) return;
    const scopes = (await this.c.call('scopes', { frameId: frame.id })) as P.ScopesResponse;
    const locals = scopes.body?.scopes?.[0];
    if (locals) await this.c.call('variables', { variablesReference: locals.variablesReference }, maskWaitGroups);
  }

  async step(command: 'next' | 'stepIn' | 'stepOut', threadId: number): Promise<P.StoppedEvent> {
    await this.c.call(command, { threadId });
    const event = await this.stopped();
    await this.inspectStop(event);
    return event;
  }

  async continue(threadId = 1): Promise<void> {
    await this.c.call('continue', { threadId });
  }

  async toEnd(threadId = 1): Promise<void> {
    const terminated = this.c.next('terminated');
    await this.continue(threadId);
    await terminated;
  }

  async disconnect(terminateDebuggee?: boolean): Promise<void> {
    await this.beforeDisconnect?.();
    await this.c.call('disconnect', terminateDebuggee === undefined ? {} : { terminateDebuggee });
  }
}

/**
 * A WaitGroup's state counts the goroutines still running: how many the workers have finished by
 * a stop depends on scheduling, in any two runs. Its value is left out of the comparison.
 */
function maskWaitGroups(m: Record<string, unknown>): Record<string, unknown> {
  const body = m.body as P.VariablesResponse['body'] | undefined;
  if (!body?.variables) return m;
  return { ...m, body: { ...body, variables: body.variables.map((v) => (/WaitGroup/.test(v.type ?? '') ? { ...v, value: `${v.type} (state depends on scheduling)` } : v)) } };
}
