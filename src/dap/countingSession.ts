/**
 * The counting engine inside the proxy: installs hidden breakpoints on the runtime's allocators,
 * charges every hit to a source line, and keeps the client's view of the debug session exactly as
 * plain Delve would present it.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { AllocatorSet, allocatorsFor, isNestedAllocatorHit } from '../core/allocators';
import { isUserFile, StackFrame, UserCodeRoots } from '../core/attribution';
import { buildReport, MallocReport, ProgramEnd, Scope } from '../core/report';
import { Tally } from '../core/tally';
import { parseVersion } from '../core/versions';
import { HiddenBreakpoints } from './hiddenBreakpoints';
import type { DapProxy, ProxyHooks } from './proxy';
import { StackSample, StackSampler } from './stackSampler';
import { isDeadProgramStop, processState, unreportedExitCode } from './processState';
import { StepCommand, StepDriver, StepHost, StepOutcome } from './stepDriver';

export interface LineTarget {
  file: string;
  line: number;
  /** Last line of the statement, when it spans several. */
  endLine?: number;
}

/**
 * Looks closer at one counted allocation while the target is still stopped in the allocator
 * (statement anatomy: kind, type, elements). Only used where its cost is acceptable (line scope).
 */
export interface AllocationInspector {
  inspect(allocation: { goroutine: number; size: number; frames: StackFrame[]; allocator: string }, sampler: StackSampler): Promise<Record<string, unknown> | undefined>;
}

export interface CountingOptions {
  roots: UserCodeRoots;
  delveVersion: string;
  /** The target's Go version when the caller knows it; otherwise read from the target. */
  goVersion?: string;
  buildFlags: string;
  /** Line scope: count the first execution of this statement only. */
  line?: LineTarget;
  /**
   * Run the program with GOMAXPROCS=1 while counting. Delve reports one goroutine per stop, so
   * hits that land in the same stop on other threads would be lost; with one P only one thread
   * can be inside the allocator at a time. Default true.
   */
  serialize?: boolean;
  /** Consulted for every counted allocation; with it, the report lists each allocation in order. */
  inspector?: AllocationInspector;
  log?: (line: string) => void;
}

const EXIT_FUNCTION = 'runtime.exit';

/** Delve omits `threadId` (Go's omitempty) for stops on the system stack, goroutine 0. */
export function goroutineOf(event: P.StoppedEvent): number {
  return event.body.threadId ?? 0;
}
const STEP_INTERRUPTED = /^Step interrupted by a breakpoint\./;

export class CountingSession {
  readonly tally: Tally;
  private readonly bps: HiddenBreakpoints;
  private readonly sampler: StackSampler;
  private allocators?: AllocatorSet;
  private goVersion?: string;
  private armed = false;
  private installed = false;
  private skipped = 0;
  private harvestedHits = 0;
  private hitCountsReadable: boolean;
  private hitCountsLost = false;
  private program: ProgramEnd = {};
  private readonly warnings: string[] = [];
  private driver?: StepDriver;
  private expectContinued = 0;
  private swallowStepInterrupted = false;
  private pendingPause?: P.Request;
  /** The debuggee's process ID, from Delve's `process` event. */
  private processId?: number;
  /** A pause forwarded to Delve whose stop has not been seen yet. */
  private pauseInFlight = false;
  private inHiddenStop = false;
  private lineState: 'waiting' | 'counting' | 'done' = 'waiting';
  private lineGoroutine?: number;
  /** Line scope: frames on the goroutine's stack at the statement (its frame's place from the bottom). */
  private lineDepth?: number;
  private terminated = false;
  private readonly listeners: ((report: MallocReport) => void)[] = [];

  private rearmAtConfigurationDone = false;

  constructor(private readonly proxy: DapProxy, private readonly options: CountingOptions) {
    this.tally = new Tally(options.roots, options.inspector !== undefined);
    this.bps = new HiddenBreakpoints(proxy);
    this.sampler = new StackSampler(proxy);
    const delve = parseVersion(options.delveVersion);
    this.hitCountsReadable = delve !== undefined && (delve.minor > 24 || (delve.minor === 24 && delve.patch >= 1));
  }

  /** Settings that a DAP session learns only from its launch or attach request. */
  configure(settings: Partial<Pick<CountingOptions, 'roots' | 'buildFlags' | 'line' | 'goVersion'>>): void {
    Object.assign(this.options, settings);
    if (settings.roots) this.tally.setRoots(settings.roots);
  }

  get scope(): Scope {
    return this.options.line ? 'line' : 'run';
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Called with a fresh report whenever the program ends. */
  onFinished(listener: (report: MallocReport) => void): void {
    this.listeners.push(listener);
  }

  report(): MallocReport {
    const line = this.options.line;
    const counted = this.tally.totals().count;
    const check = this.hitCountsReadable && !this.hitCountsLost && this.installed && this.terminated
      ? { delveHits: this.harvestedHits, skipped: this.skipped, complete: this.harvestedHits === counted + this.skipped + this.foreignHits }
      : undefined;
    return buildReport(
      {
        go: this.goVersion ?? this.options.goVersion ?? 'unknown',
        delve: this.options.delveVersion,
        buildFlags: this.options.buildFlags,
        scope: this.scope,
        ...(line ? { statement: { file: line.file, line: line.line, endLine: line.endLine, reached: this.lineState !== 'waiting' } } : {}),
      },
      this.tally,
      { check, program: this.program, warnings: [...this.warnings] },
    );
  }

  /** Hits on other goroutines (or past the statement's end) while a statement is counted: seen by Delve, deliberately not counted. */
  private foreignHits = 0;

  hooks(): ProxyHooks {
    return {
      onClientRequest: (request) => this.onClientRequest(request),
      onDelveEvent: (event) => this.onDelveEvent(event),
      onDelveClosed: () => this.driver?.end(),
    };
  }

  // ---- client requests ---------------------------------------------------------------------

  private async onClientRequest(request: P.Request): Promise<boolean> {
    switch (request.command) {
      case 'launch':
        this.forwardLaunch(request as P.LaunchRequest);
        return true;
      case 'attach':
        this.warnings.push('Attached to a running process: its GOMAXPROCS could not be limited, so allocations made at the same instant on other threads may be missed (the hit-count check reports it).');
        return false;
      case 'configurationDone':
        await this.install();
        return false;
      case 'restart':
        this.forgetRun();
        return false;
      case 'setFunctionBreakpoints':
        this.bps.forwardFunctionBreakpoints(request as P.SetFunctionBreakpointsRequest);
        return true;
      case 'setBreakpoints':
        this.bps.forwardSourceBreakpoints(request as P.SetBreakpointsRequest);
        return true;
      case 'setInstructionBreakpoints':
        this.bps.forwardInstructionBreakpoints(request as P.SetInstructionBreakpointsRequest);
        return true;
      case 'setDataBreakpoints':
        this.bps.forwardRenumbered(request);
        return true;
      case 'next':
      case 'stepIn':
      case 'stepOut':
        if (!this.armed) return false;
        await this.userStep(request);
        return true;
      case 'pause':
        if (this.inHiddenStop) {
          this.pendingPause = request;
          return true;
        }
        // Delve ignores a pause that reaches it while it sits in a hidden stop the proxy has not
        // seen yet (the next continue clears it): remember it, and honour it at that stop.
        this.pauseInFlight = true;
        return false;
      case 'evaluate':
        return this.maybeCall(request as P.EvaluateRequest);
      case 'malloclens/tally':
        this.proxy.respond(request, this.report());
        return true;
      default:
        return false;
    }
  }

  private forwardLaunch(request: P.LaunchRequest): void {
    const args = { ...(request.arguments as Record<string, unknown>) };
    if (this.options.serialize !== false) {
      const env = { ...((args.env as Record<string, string> | undefined) ?? {}) };
      if (env.GOMAXPROCS && env.GOMAXPROCS !== '1') {
        this.warnings.push(`GOMAXPROCS=${env.GOMAXPROCS} was replaced by 1 while counting, so that no allocation is missed.`);
      }
      env.GOMAXPROCS = '1';
      args.env = env;
    }
    this.proxy.forward(request, args);
  }

  /** Function calls from the debug console run with the allocator breakpoints removed: a stop inside one fails the call. */
  private async maybeCall(request: P.EvaluateRequest): Promise<boolean> {
    const expression = request.arguments?.expression ?? '';
    if (!this.armed || !/^\s*call\s/.test(expression)) return false;
    this.proxy.hold();
    await this.disarm();
    this.proxy.forward(request, request.arguments, (response) => {
      void this.arm().catch((e) => this.log(`re-arming after call failed: ${e}`)).finally(() => this.proxy.release());
      return response;
    });
    return true;
  }

  // ---- installing and arming ---------------------------------------------------------------

  private async readGoVersion(): Promise<string | undefined> {
    if (this.options.goVersion) return this.options.goVersion;
    const response = await this.proxy.request('evaluate', { expression: 'runtime.buildVersion', context: 'repl' });
    if (!response.success) return undefined;
    return (response.body as P.EvaluateResponse['body']).result.replace(/^"|"$/g, '');
  }

  /**
   * A restart runs the program again in the same session: the counts start over, and the allocator
   * breakpoints are set afresh at the next configurationDone so that Delve's hit counts (the
   * completeness check) start from zero too.
   */
  private forgetRun(): void {
    this.tally.clear();
    this.program = {};
    this.skipped = 0;
    this.foreignHits = 0;
    this.harvestedHits = 0;
    this.hitCountsLost = false;
    this.terminated = false;
    this.lineState = 'waiting';
    this.lineGoroutine = undefined;
    if (this.installed) this.rearmAtConfigurationDone = true;
  }

  private async install(): Promise<void> {
    if (this.rearmAtConfigurationDone) {
      this.rearmAtConfigurationDone = false;
      this.installed = false;
      this.armed = false;
      await this.bps.setFunctions(new Map());
    }
    if (this.installed) return;
    this.installed = true;
    this.goVersion = await this.readGoVersion();
    const go = this.goVersion ? parseVersion(this.goVersion) : undefined;
    if (!go) {
      this.warnings.push('Could not read the program\'s Go version; assuming a current one.');
    }
    this.allocators = allocatorsFor(go ?? { major: 1, minor: 26, patch: 0 });
    const line = this.options.line;
    if (line) {
      await this.applyFunctions(false);
      // A statement's first instruction need not be on its first line: `f(a,\n g())` runs g()
      // (second line) before any code of the first line. So every line of it gets a breakpoint,
      // and the first one reached starts the count.
      const lines = new Map<number, object>();
      for (let l = line.line; l <= (line.endLine ?? line.line); l++) lines.set(l, {});
      const placed = await this.bps.setSourceLines(line.file, lines);
      if (!placed.some((p) => p.id !== undefined)) {
        throw new Error(`cannot stop at ${line.file}:${line.line}: ${placed[0]?.message ?? 'no code on that line'}`);
      }
    } else {
      await this.arm();
    }
  }

  private async applyFunctions(withAllocators: boolean): Promise<void> {
    const specs = new Map<string, object>();
    if (withAllocators) for (const name of this.allocators!.functions) specs.set(name, {});
    specs.set(EXIT_FUNCTION, {});
    const names = await this.bps.setFunctions(specs);
    if (withAllocators) {
      // Names that don't exist in this Go are expected; dropping them keeps later merges short.
      const live = this.allocators!.functions.filter((n) => names.has(n));
      if (live.length === 0) throw new Error(`no allocator breakpoint could be set (${[...this.bps.unverified().values()][0] ?? 'unknown reason'})`);
      this.allocators = { ...this.allocators!, functions: live };
    }
    if (!names.has(EXIT_FUNCTION)) this.log('the exit breakpoint could not be set; the hit-count check is unavailable');
  }

  private async arm(): Promise<void> {
    await this.applyFunctions(true);
    this.armed = true;
  }

  private async disarm(): Promise<void> {
    await this.harvestHitCounts();
    await this.applyFunctions(false);
    this.armed = false;
  }

  /** Adds Delve's own hit counts of the allocator breakpoints (which a re-application resets). */
  private async harvestHitCounts(): Promise<void> {
    if (!this.hitCountsReadable || !this.armed) return;
    for (const name of this.allocators?.functions ?? []) {
      for (const id of this.bps.idsOf('function', name)) {
        const n = await this.sampler.integer(`delve.bphitcount[${id}]`);
        if (n === undefined) {
          this.hitCountsLost = true;
          return;
        }
        this.harvestedHits += n;
      }
    }
  }

  // ---- Delve events ------------------------------------------------------------------------

  private onDelveEvent(event: P.Event): boolean {
    const previousWasHiddenStop = this.swallowStepInterrupted;
    this.swallowStepInterrupted = false;
    switch (event.event) {
      case 'stopped':
        return this.onStopped(event as P.StoppedEvent);
      case 'continued':
        if (this.expectContinued > 0) {
          this.expectContinued -= 1;
          return true;
        }
        return false;
      case 'output': {
        const output = (event as P.OutputEvent).body.output;
        return previousWasHiddenStop && STEP_INTERRUPTED.test(output);
      }
      case 'breakpoint': {
        const bp = (event as P.BreakpointEvent).body.breakpoint;
        if (this.bps.isHidden(bp.id)) return true;
        if (bp.id !== undefined) bp.id = this.bps.clientIds.clientId(bp.id);
        return false;
      }
      case 'exited':
        this.program.exitCode = (event as P.ExitedEvent).body.exitCode;
        return false;
      case 'process':
        this.processId = (event as P.ProcessEvent).body.systemProcessId;
        return false;
      case 'terminated':
        this.finish();
        return false;
      default:
        return false;
    }
  }

  private finish(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.driver?.end();
    const report = this.report();
    for (const l of this.listeners) l(report);
  }

  private isHiddenStop(event: P.StoppedEvent): boolean {
    const ids = event.body.hitBreakpointIds ?? [];
    return ids.length > 0 && ids.every((id) => this.bps.isHidden(id));
  }

  /** A stop as the client sees it: its breakpoint IDs in the client's numbering. */
  private forClient(event: P.StoppedEvent): P.StoppedEvent {
    const ids = event.body.hitBreakpointIds;
    if (!ids) return event;
    // Delve's own breakpoints (unrecovered panic, fatal throw) have negative IDs and stay as they are.
    return { ...event, body: { ...event.body, hitBreakpointIds: ids.map((id) => (id > 0 ? this.bps.clientIds.clientId(id) : id)) } };
  }

  /**
   * The program died while the proxy held it stopped (killed from outside): Delve says "no such
   * process" where, had the program been running, it would have reported the exit. Report it as
   * Delve would have.
   */
  private diedWhileStopped(event: P.StoppedEvent): boolean {
    if (!isDeadProgramStop(event.body)) return false;
    this.reportProgramGone();
    return true;
  }

  /** True (and reported) when the debuggee has died under a stop the proxy holds. */
  private programGoneUnderUs(): boolean {
    if (this.processId === undefined || this.terminated || processState(this.processId).alive) return false;
    this.reportProgramGone();
    return true;
  }

  /** Through the proxy, as if from Delve: this session's own `exited` and `terminated` handling runs. */
  private reportProgramGone(): void {
    this.proxy.reportDebuggeeEnd(unreportedExitCode(this.processId));
  }

  private onStopped(event: P.StoppedEvent): boolean {
    this.log(`stopped ${JSON.stringify(event.body)}${this.driver ? ' (stepping)' : ''}`);
    if (this.diedWhileStopped(event)) return true;
    if (this.driver) {
      if (this.isHiddenStop(event)) this.swallowStepInterrupted = true;
      this.driver.deliver(event);
      return true;
    }
    if (this.isHiddenStop(event)) {
      this.swallowStepInterrupted = true;
      void this.handleHiddenStop(event);
      return true;
    }
    if (event.body.reason === 'pause') this.pauseInFlight = false;
    if (event.body.reason === 'pause' && this.armed) {
      // A pause that lands while a thread sits on an allocator breakpoint hides that hit.
      void this.presentAfterCheckingPause(event);
      return true;
    }
    event.body.hitBreakpointIds = this.forClient(event).body.hitBreakpointIds;
    return false;
  }

  private async presentAfterCheckingPause(event: P.StoppedEvent): Promise<void> {
    this.proxy.hold();
    try {
      await this.recordIfOnAllocator(goroutineOf(event));
    } catch (e) {
      this.log(`checking a pause stop failed: ${e}`);
    } finally {
      this.proxy.forwardEvent(this.forClient(event));
      this.proxy.release();
    }
  }

  private async recordIfOnAllocator(goroutine: number): Promise<void> {
    const top = await this.sampler.frames(goroutine, 1);
    const name = top.frames[0]?.name;
    if (name && this.allocators?.functions.includes(name)) await this.recordAllocation(goroutine);
  }

  private async handleHiddenStop(event: P.StoppedEvent): Promise<void> {
    this.proxy.hold();
    this.inHiddenStop = true;
    let resumed = false;
    try {
      if (this.bps.lookup(event.body.hitBreakpointIds![0])?.kind === 'source') {
        resumed = await this.countStatement(event);
      } else {
        await this.absorbHiddenStop(event);
      }
    } catch (e) {
      this.log(`hidden stop: ${(e as Error).stack ?? e}`);
      if (this.programGoneUnderUs()) resumed = true;
    } finally {
      this.inHiddenStop = false;
      if (!resumed) await this.resumeOrPause(goroutineOf(event));
      this.proxy.release();
    }
  }

  /** Records what a hidden stop means without resuming; true when it was an allocation. */
  private async absorbHiddenStop(event: P.StoppedEvent): Promise<boolean> {
    const key = this.bps.lookup(event.body.hitBreakpointIds![0])?.key ?? '';
    if (key === EXIT_FUNCTION) {
      await this.onExitPath();
      return false;
    }
    if (this.allocators?.functions.includes(key)) {
      await this.recordAllocation(goroutineOf(event));
      return true;
    }
    return false;
  }

  private pauseWanted(): boolean {
    return this.pendingPause !== undefined || this.pauseInFlight;
  }

  private async resumeOrPause(goroutine: number): Promise<void> {
    if (this.pauseWanted()) {
      const pause = this.pendingPause;
      this.pendingPause = undefined;
      this.pauseInFlight = false;
      if (pause) this.proxy.respond(pause);
      this.proxy.sendEvent('stopped', { reason: 'pause', threadId: goroutine, allThreadsStopped: true, hitBreakpointIds: [] });
      return;
    }
    if (!this.proxy.isDelveOpen) return;
    const resumed = await this.proxy.request('continue', { threadId: goroutine });
    if (!resumed.success) this.programGoneUnderUs();
  }

  private async recordAllocation(goroutine: number): Promise<void> {
    const roots = this.options.roots;
    const [size, sample] = await Promise.all([
      this.sampler.integer('size'),
      this.sampler.framesUntil(goroutine, (frames) => frames.some((f) => isUserFile(f.path, roots))),
    ]);
    if (size === undefined || size === 0 || isNestedAllocatorHit(sample.frames.map((f) => f.name), this.allocators!)) {
      this.skipped += 1;
      return;
    }
    if (this.scope === 'line' && (goroutine !== this.lineGoroutine || (await this.pastStatementEnd(goroutine, sample)))) {
      this.foreignHits += 1;
      return;
    }
    const details = this.options.inspector
      ? await this.options.inspector.inspect({ goroutine, size, frames: sample.frames, allocator: sample.frames[0]?.name ?? '' }, this.sampler)
      : undefined;
    this.tally.record({ size, frames: sample.frames, goroutine, details });
  }

  /**
   * Line scope: an allocation by the statement's own frame on a line outside the statement. A
   * cancelled step resumes at the call's return address, which for `_ = f()` is already the next
   * line's code; stepping on from there runs that line before the step ends, and what it allocates
   * is not the statement's. Deeper frames (callees, recursion) belong to the statement wherever they are.
   */
  private async pastStatementEnd(goroutine: number, sample: StackSample): Promise<boolean> {
    const line = this.options.line!;
    const index = sample.frames.findIndex((f) => isUserFile(f.path, this.options.roots));
    const frame = sample.frames[index];
    if (index < 0 || frame.path !== line.file || frame.line === undefined) return false;
    if (frame.line >= line.line && frame.line <= (line.endLine ?? line.line)) return false;
    const depth = sample.complete ? sample.frames.length : await this.sampler.depth(goroutine);
    return depth - index === this.lineDepth;
  }

  private async onExitPath(): Promise<void> {
    const code = await this.sampler.integer('code');
    if (code !== undefined) this.program.exitCode = code;
    await this.harvestHitCounts();
    // The exit breakpoint also ends the counting window: nothing after it can be charged to a line.
  }

  // ---- steps -------------------------------------------------------------------------------

  private stepHost(): StepHost {
    return {
      send: async (command, args) => {
        this.log(`-> ${command} ${JSON.stringify(args)}`);
        if (command !== 'continue') this.expectContinued += 1;
        const response = await this.proxy.request(command, args);
        if (!response.success) throw new Error(`${command}: ${response.message}`);
      },
      stack: async (g) => (await this.sampler.framesUntil(g, () => false)).raw,
      position: (g) => this.position(g),
      armReturn: async (g, frame) => {
        const frameoff = await this.sampler.integer('runtime.frameoff', frame.id);
        const condition = `runtime.curg.goid == ${g}${frameoff === undefined ? '' : ` && runtime.frameoff == ${frameoff}`}`;
        this.log(`return breakpoint at ${frame.instructionPointerReference} (${frame.name}:${frame.line}) if ${condition}`);
        const ids = await this.bps.setInstructions(new Map([[frame.instructionPointerReference!, { condition }]]));
        if (ids.length === 0) throw new Error(`cannot break at ${frame.instructionPointerReference} to finish the step`);
      },
      disarmReturn: async () => {
        await this.bps.setInstructions(new Map());
      },
      isReturnStop: (e) => {
        const ids = e.body.hitBreakpointIds ?? [];
        return ids.length > 0 && this.bps.lookup(ids[0])?.kind === 'instruction';
      },
      absorbHiddenStop: (e) => this.absorbHiddenStop(e),
      isHiddenStop: (e) => this.isHiddenStop(e),
      pauseWanted: () => this.pauseWanted(),
    };
  }

  private async position(goroutine: number): Promise<string> {
    const top = (await this.sampler.frames(goroutine, 1)).frames[0];
    return `${top?.path ?? top?.name}:${top?.line}`;
  }

  private async userStep(request: P.Request): Promise<void> {
    const goroutine = (request.arguments as { threadId: number }).threadId;
    const depth = await this.sampler.depth(goroutine);
    const from = await this.position(goroutine);
    const driver = new StepDriver(this.stepHost());
    this.driver = driver;
    void driver
      .run(goroutine, depth, request.command as StepCommand, () => this.proxy.forward(request), from)
      .then((outcome) => this.endUserStep(outcome))
      .catch((e) => this.log(`step: ${(e as Error).stack ?? e}`))
      .finally(() => {
        if (this.driver === driver) this.driver = undefined;
      });
  }

  private endUserStep(outcome: StepOutcome): void {
    this.driver = undefined;
    if (outcome.kind === 'stopped') {
      this.proxy.forwardEvent(this.forClient(outcome.event));
    } else if (outcome.kind === 'paused') {
      void this.resumeOrPause(outcome.goroutine);
    }
  }

  /**
   * Line scope: the hidden line breakpoint was reached. Arms the allocators, steps over the
   * statement on this goroutine, disarms, and lets the program run on. Returns true when it has
   * already decided how the program goes on.
   */
  private async countStatement(event: P.StoppedEvent): Promise<boolean> {
    const line = this.options.line!;
    const goroutine = goroutineOf(event);
    await this.bps.setSourceLines(line.file, new Map());
    this.lineState = 'counting';
    this.lineGoroutine = goroutine;
    const depth = await this.sampler.depth(goroutine);
    this.lineDepth = depth;
    await this.arm();
    const host = this.stepHost();
    let outcome: StepOutcome;
    for (;;) {
      const driver = new StepDriver(host);
      this.driver = driver;
      // Optimized code can return from a call onto an instruction the line table gives the next
      // line while the statement goes on (a loop's append): there a line change does not end the
      // step, and what runs past the statement's end is left out by pastStatementEnd instead.
      const from = this.options.buildFlags.includes('-N') ? await this.position(goroutine) : undefined;
      outcome = await driver.run(goroutine, depth, 'next', () => void host.send('next', { threadId: goroutine }), from);
      this.driver = undefined;
      if (outcome.kind !== 'stopped' || !(await this.stillInStatement(outcome.event, goroutine, depth))) break;
    }
    this.lineState = 'done';
    if (outcome.kind === 'ended') return true;
    await this.disarm();
    if (outcome.kind === 'stopped' && outcome.event.body.reason !== 'step') {
      // Something the user must see (an exception, their own breakpoint) ended the statement.
      this.proxy.forwardEvent(this.forClient(outcome.event));
      return true;
    }
    return false;
  }

  /**
   * True while the goroutine is still inside the statement: same frame, a line of the statement.
   * A multi-line call evaluates its arguments on their own lines and then comes back to the first
   * line for the call; a statement that is itself a loop comes back to its line every iteration.
   */
  private async stillInStatement(event: P.StoppedEvent, goroutine: number, depth: number): Promise<boolean> {
    const line = this.options.line!;
    if (event.body.reason !== 'step' || goroutineOf(event) !== goroutine) return false;
    const top = await this.sampler.frames(goroutine, 1);
    const frame = top.frames[0];
    if (!frame || frame.path !== line.file || frame.line === undefined) return false;
    if (frame.line < line.line || frame.line > (line.endLine ?? line.line)) return false;
    return (await this.sampler.depth(goroutine)) === depth;
  }

}
