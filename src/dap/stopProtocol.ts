/**
 * The one owner of the stop protocol, for both engines: it decides who owns the program at every
 * moment (running, the user at a stop, the proxy at a hidden stop, a step, a console call, a hidden
 * pause, an instruction step of the proxy's own), and keeps the client's view of the session
 * exactly what plain Delve would show. The engine (engine.ts) is a strategy it consults: what to
 * arm, what a hidden stop means, what to add at a visible stop and at the end.
 *
 * Delve's behaviours this answers (see docs/ARCHITECTURE.md, "Staying invisible"):
 * - a hidden stop on the stepping goroutine cancels the step: steps go through StepDriver;
 * - a pause that reaches Delve while it sits in a hidden stop is dropped: pauses are remembered and
 *   honoured at the next stop the proxy owns;
 * - a console `call` fails when anything stops inside it, and when something does (the user's own
 *   breakpoint in the called function), Delve answers "call stopped" and shows that stop; the call
 *   finishes later, at a stop Delve reports with no breakpoint ("call returned");
 * - hidden breakpoints take IDs from Delve's one counter: the client's are renumbered.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { buildReport, MallocReport, ProgramEnd } from '../core/report';
import type { CountingEngine, HiddenStopMeaning, SessionSettings, StopContext } from './engine';
import { goroutineOf } from './engine';
import { HiddenBreakpoints } from './hiddenBreakpoints';
import { LivePauses } from './livePauses';
import { isDeadProgramStop, processState, unreportedExitCode } from './processState';
import type { DapProxy, ProxyHooks } from './proxy';
import { StackSampler } from './stackSampler';
import { StepCommand, StepDriver, StepHost, StepOutcome } from './stepDriver';

/** Who owns the program now. */
type Owner =
  /** Before configurationDone. */
  | { kind: 'starting' }
  | { kind: 'running' }
  /** The user looks at a stop. */
  | { kind: 'user' }
  /** The proxy handles a stop the user does not see, or checks one before showing it. */
  | { kind: 'hidden' }
  /** A step (the user's, or line scope's) is under way; its stops go to the driver. */
  | { kind: 'step'; driver: StepDriver }
  /** A console `call` runs; `stopped` once Delve has shown a stop inside it. */
  | { kind: 'call'; stopped: boolean }
  /** The proxy asked Delve to pause, to read counts while the program runs. */
  | { kind: 'live pause'; handled: () => void }
  /** The proxy moves one goroutine by one instruction. */
  | { kind: 'instruction'; done: () => void }
  | { kind: 'ended' };

interface StopState {
  owner: Owner;
  /** A pause the client asked for and no stop has answered yet: held here, or sent on to Delve. */
  pause?: { held?: P.Request };
  /** A console call stopped inside and has not returned: the engine stays disarmed until it does. */
  callUnfinished: boolean;
}

export interface StopProtocolOptions extends SessionSettings {
  /** The least time between two readings while the program runs (engines that want them); 0: only at stops. */
  liveIntervalMs?: number;
}

/** Delve's hidden breakpoint on the way out of every program: normal end, os.Exit, panics. */
const EXIT_FUNCTION = 'runtime.exit';
const EXIT_GROUP = 'exit';
const STEP_RETURN_GROUP = 'step return';
const STEP_ENTRY_GROUP = 'step entry';
const STEP_INTERRUPTED = /^Step interrupted by a breakpoint\./;
/** How long a hidden pause may wait for Delve's stop before giving up. */
const PAUSE_TIMEOUT_MS = 5000;
const CONSOLE_CALL = /^\s*call\s/;
/** The closure the compiler wraps `go f(x)` in (Go ≥ 1.21). */
const GO_WRAPPER = /\.gowrap\d+$/;

export class StopProtocol {
  private state: StopState = { owner: { kind: 'starting' }, callUnfinished: false };
  readonly bps: HiddenBreakpoints;
  private readonly sampler: StackSampler;
  private readonly live: LivePauses;
  private goVersion?: string;
  private processId?: number;
  private attached = false;
  private installed = false;
  private detached = false;
  private terminated = false;
  private program: ProgramEnd = {};
  private readonly warnings: string[] = [];
  /** `continued` events Delve sends for the proxy's own steps, which the client must not see. */
  private expectContinued = 0;
  /** The latest stop was hidden: Delve's "Step interrupted" line that follows it is not the user's. */
  private swallowStepInterrupted = false;
  private readonly listeners: ((report: MallocReport) => void)[] = [];

  constructor(private readonly proxy: DapProxy, readonly engine: CountingEngine, private readonly options: StopProtocolOptions) {
    this.bps = new HiddenBreakpoints(proxy);
    this.sampler = new StackSampler(proxy);
    this.live = new LivePauses(options.liveIntervalMs ?? 0, () => this.mayPauseForReading(), () => this.readWhileRunning());
  }

  get tally() {
    return this.engine.tally;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  /** Called with a fresh report whenever the program ends. */
  onFinished(listener: (report: MallocReport) => void): void {
    this.listeners.push(listener);
  }

  /** `stacks`: add every whole stack (for pprof); the live events leave it out. */
  report(stacks = false): MallocReport {
    return buildReport(
      {
        go: this.goVersion ?? this.options.goVersion ?? 'unknown',
        delve: this.options.delveVersion,
        buildFlags: this.options.buildFlags,
        scope: this.engine.scope,
        engine: this.engine.name,
        ...(this.engine.statement?.() ? { statement: this.engine.statement() } : {}),
      },
      this.engine.tally,
      {
        check: this.terminated ? this.engine.check?.() : undefined,
        program: this.program,
        partial: this.terminated && this.program.exitCode !== undefined ? undefined : true,
        warnings: [...this.warnings, ...this.engine.readingWarnings(this.terminated)],
        benchmarks: this.engine.benchmarks?.(),
        stacks,
      },
    );
  }

  hooks(): ProxyHooks {
    return {
      onClientRequest: (request) => this.onClientRequest(request),
      onDelveEvent: (event) => this.onDelveEvent(event),
      onDelveClosed: () => this.finish(),
    };
  }

  /** What an engine may use while the protocol owns a stop. */
  private ctx(): StopContext {
    return {
      proxy: this.proxy,
      bps: this.bps,
      sampler: this.sampler,
      goVersion: this.goVersion,
      processId: this.processId,
      step: (goroutine, depth, command, from) => this.driveStep(goroutine, depth, command, () => this.background(this.stepHost().send(command, { threadId: goroutine })), from),
      stepInstruction: (goroutine) => this.stepInstruction(goroutine),
      position: (goroutine) => this.position(goroutine),
      present: (event) => this.showUserStop(event),
      warn: (text) => this.warn(text),
      log: (line) => this.log(line),
    };
  }

  private warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  /** A warning for the report from whoever set the session up. */
  note(text: string): void {
    this.warn(text);
  }

  // ---- client requests ---------------------------------------------------------------------

  private async onClientRequest(request: P.Request): Promise<boolean> {
    switch (request.command) {
      case 'launch':
      case 'attach':
        this.attached = request.command === 'attach';
        this.proxy.forward(request, this.engine.launchArguments({ ...(request.arguments as Record<string, unknown>) }, request.command));
        return true;
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
      case 'continue':
        if (this.state.owner.kind === 'user') this.state.owner = { kind: 'running' };
        return false;
      case 'next':
      case 'stepIn':
      case 'stepOut':
        return this.userStep(request);
      case 'pause':
        return this.onPause(request);
      case 'evaluate':
        return this.maybeConsoleCall(request as P.EvaluateRequest);
      case 'malloclens/tally':
        if (this.state.owner.kind === 'user' && !this.terminated) await this.readSafely();
        this.proxy.respond(request, this.report((request.arguments as { stacks?: unknown } | undefined)?.stacks === true));
        return true;
      case 'disconnect':
        this.live.stop();
        // A headless Delve outlives the session: leave the program without malloclens's traces
        // unless it is to end anyway.
        if (this.options.remote && !(request.arguments as P.DisconnectArguments | undefined)?.terminateDebuggee) await this.detach();
        return false;
      default:
        return false;
    }
  }

  private onPause(request: P.Request): boolean {
    const owner = this.state.owner.kind;
    if (owner === 'hidden' || owner === 'instruction' || owner === 'live pause') {
      // Delve is stopped at a stop of the proxy's (or about to be): a pause sent now would be lost.
      this.state.pause = { held: request };
      return true;
    }
    // Delve may already sit in a hidden stop the proxy has not seen yet; it then ignores the pause
    // (the next continue clears it), so the pause is remembered and honoured at that stop.
    if (owner !== 'user' && owner !== 'starting') this.state.pause = {};
    return false;
  }

  /**
   * Takes malloclens out of a program that goes on without it: the hidden breakpoints out of
   * Delve, and what the engine changed in the program put back (while the program is stopped;
   * Delve changes no variable of a running one). Once; the counts stay as they are.
   */
  async detach(): Promise<void> {
    if (this.detached || this.terminated || !this.installed || !this.proxy.isDelveOpen) return;
    this.detached = true;
    this.live.stop();
    // A stop of the proxy's own ends in a continue: let it, or Delve would leave the program
    // halted there for the next client. Bounded: a client that leaves must not wait long.
    const busy = () => ['hidden', 'instruction', 'live pause', 'step'].includes(this.state.owner.kind);
    for (const deadline = Date.now() + 2000; busy() && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 20));
    try {
      if (this.state.owner.kind === 'user') await this.engine.detach?.(this.ctx());
      else this.log(`detaching while the program is ${this.state.owner.kind}: what the engine changed in it stays`);
      await this.bps.removeAll();
    } catch (e) {
      this.log(`detaching: ${(e as Error).message}`);
    }
  }

  // ---- installing ----------------------------------------------------------------------------

  private async readGoVersion(): Promise<string | undefined> {
    if (this.options.goVersion) return this.options.goVersion;
    const result = await this.sampler.evaluate('runtime.buildVersion');
    return result?.replace(/^"|"$/g, '');
  }

  private async install(): Promise<void> {
    if (this.installed) return;
    this.installed = true;
    this.goVersion ??= await this.readGoVersion();
    const exit = await this.bps.setFunctions(new Map([[EXIT_FUNCTION, {}]]), EXIT_GROUP);
    if (!exit.has(EXIT_FUNCTION)) this.log('the exit breakpoint could not be set: the end of the program is read when Delve reports it');
    await this.engine.install(this.ctx(), this.attached);
    this.state.owner = { kind: 'running' };
    this.live.start();
  }

  /**
   * A restart runs the program again in the same session: the counts start over, and the engine
   * installs afresh at the next configurationDone (Delve keeps breakpoints across a restart).
   */
  private forgetRun(): void {
    this.bps.forgetAddressBreakpoints();
    this.engine.forgetRun();
    this.program = {};
    this.terminated = false;
    this.installed = false;
    this.processId = undefined;
    this.state = { owner: { kind: 'starting' }, callUnfinished: false };
  }

  // ---- Delve events --------------------------------------------------------------------------

  private onDelveEvent(event: P.Event): boolean {
    switch (event.event) {
      case 'stopped':
        return this.onStopped(event as P.StoppedEvent);
      case 'continued':
        if (this.expectContinued > 0) {
          this.expectContinued -= 1;
          return true;
        }
        return false;
      case 'output':
        // Delve says this right after the stop that interrupted a step: the latest stop's, then.
        return this.swallowStepInterrupted && STEP_INTERRUPTED.test((event as P.OutputEvent).body.output);
      case 'breakpoint': {
        const bp = (event as P.BreakpointEvent).body.breakpoint;
        if (this.bps.isHidden(bp.id)) return true;
        if (bp.id !== undefined) bp.id = this.bps.clientIds.clientId(bp.id);
        return false;
      }
      case 'process':
        this.processId = (event as P.ProcessEvent).body.systemProcessId;
        return false;
      case 'exited':
        this.program.exitCode = (event as P.ExitedEvent).body.exitCode;
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
    this.live.stop();
    const owner = this.state.owner;
    if (owner.kind === 'step') owner.driver.end();
    if (owner.kind === 'instruction') owner.done();
    if (owner.kind === 'live pause') owner.handled();
    this.state = { owner: { kind: 'ended' }, callUnfinished: false };
    this.engine.end();
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

  private present(event: P.StoppedEvent): void {
    this.proxy.forwardEvent(this.forClient(event));
  }

  private onStopped(event: P.StoppedEvent): boolean {
    const owner = this.state.owner;
    this.log(`stopped ${JSON.stringify(event.body)} (${owner.kind})`);
    if (isDeadProgramStop(event.body)) {
      // Killed from outside while held at a stop of the proxy's: report the end as Delve would have.
      if (owner.kind === 'instruction') owner.done();
      this.reportProgramGone();
      return true;
    }
    const hidden = this.isHiddenStop(event);
    this.swallowStepInterrupted = hidden;
    switch (owner.kind) {
      case 'instruction':
        owner.done();
        return true;
      case 'step':
        owner.driver.deliver(event);
        return true;
      case 'call':
        // The call stopped: the user's breakpoint in the called function, or a stop elsewhere.
        owner.stopped = true;
        this.present(event);
        return true;
    }
    if (hidden) {
      this.background(this.handleHiddenStop(event));
    } else if (event.body.reason === 'pause' && this.state.pause === undefined && this.engine.wantsLiveReadings()) {
      // The proxy's own pause, or one of its pauses that Delve carried out late.
      this.background(this.handleLivePause(event));
    } else if (event.body.reason === 'pause' && this.state.pause === undefined) {
      // Nobody asked for a pause: Delve halted to set breakpoints while the program ran, just as a
      // thread hit one of the engine's (Delve then calls the stop a pause). Plain Delve would
      // have gone on.
      this.background(this.checkAndPresent(event, true));
    } else {
      this.background(this.checkAndPresent(event));
    }
    return true;
  }

  /**
   * Work started from an event handler: Delve can go away under it (the client gone, a signal),
   * and its requests then reject; that is logged, never left to end the process.
   */
  private background(work: Promise<unknown>): void {
    work.catch((e) => this.log(`after Delve went away: ${(e as Error).message}`));
  }

  /** Lets whoever waits for a hidden pause's stop go on. */
  private noteStopHandled(owner: Owner): void {
    if (owner.kind === 'live pause') owner.handled();
  }

  /**
   * A stop the user must see: the engine looks first (threads standing on its breakpoints), then
   * it is shown — unless `unasked` (a pause nobody asked for) and it was the engine's own.
   */
  private async checkAndPresent(event: P.StoppedEvent, unasked = false): Promise<void> {
    const before = this.state.owner;
    this.state.owner = { kind: 'hidden' };
    this.proxy.hold();
    let engines = false;
    try {
      if (this.state.callUnfinished && isCallReturnedStop(event)) {
        this.state.callUnfinished = false;
        await this.engine.afterCall(this.ctx());
      }
      engines = await this.engine.atStop(event, this.ctx());
    } catch (e) {
      this.log(`checking a stop failed: ${(e as Error).stack ?? e}`);
    }
    try {
      if (unasked && engines) await this.resumeOrPause(goroutineOf(event));
      else this.showUserStop(event);
    } finally {
      this.noteStopHandled(before);
      this.proxy.release();
    }
    if (!(unasked && engines)) await this.readSafely();
  }

  /** The user now owns a stop; any pause they asked for is answered by it. */
  private showUserStop(event: P.StoppedEvent): void {
    const held = this.state.pause?.held;
    if (held) this.proxy.respond(held);
    this.state.pause = undefined;
    this.state.owner = { kind: 'user' };
    this.present(event);
  }

  private async handleHiddenStop(event: P.StoppedEvent): Promise<void> {
    const before = this.state.owner;
    this.state.owner = { kind: 'hidden' };
    this.proxy.hold();
    let meaning: HiddenStopMeaning = 'other';
    try {
      meaning = await this.absorbHiddenStop(event);
    } catch (e) {
      this.log(`hidden stop: ${(e as Error).stack ?? e}`);
      if (this.programGoneUnderUs()) meaning = 'settled';
    } finally {
      if (meaning === 'settled') {
        if (this.state.owner.kind === 'hidden') this.state.owner = { kind: 'running' };
      } else {
        await this.resumeOrPause(goroutineOf(event));
      }
      this.noteStopHandled(before);
      this.proxy.release();
    }
  }

  /** What a hidden stop means, recorded without resuming. */
  private async absorbHiddenStop(event: P.StoppedEvent): Promise<HiddenStopMeaning> {
    const hidden = this.bps.lookup(event.body.hitBreakpointIds?.[0]);
    if (hidden?.group === EXIT_GROUP) {
      const code = await this.sampler.integer('code');
      if (code !== undefined) this.program.exitCode = code;
      await this.engine.atExit(this.ctx());
      return 'other';
    }
    if (hidden?.group === STEP_RETURN_GROUP || hidden?.group === STEP_ENTRY_GROUP) return 'other';
    return this.engine.onHiddenStop(event, this.ctx());
  }

  /**
   * Ends a stop the proxy owned: the program goes on, unless the user asked for a pause meanwhile
   * (held here, or sent to a Delve that dropped it), which this stop then answers.
   */
  private async resumeOrPause(goroutine: number): Promise<void> {
    if (this.state.pause) {
      this.showUserStop({ seq: 0, type: 'event', event: 'stopped', body: { reason: 'pause', threadId: goroutine, allThreadsStopped: true, hitBreakpointIds: [] } });
      void this.readSafely();
      return;
    }
    if (!this.proxy.isDelveOpen || this.terminated) return;
    this.state.owner = { kind: 'running' };
    const resumed = await this.proxy.request('continue', { threadId: goroutine });
    if (!resumed.success) this.programGoneUnderUs();
  }

  /** Fresh counts at a stop; a failure leaves the last reading (and is logged). */
  private async readSafely(): Promise<void> {
    try {
      this.live.noteReading();
      await this.engine.read(this.ctx());
    } catch (e) {
      this.log(`reading counts failed: ${(e as Error).message}`);
    }
  }

  // ---- a program that died under a stop the proxy holds ------------------------------------

  /** True (and reported) when the debuggee has died under a stop the proxy holds. */
  private programGoneUnderUs(): boolean {
    if (this.processId === undefined || this.terminated || processState(this.processId).alive) return false;
    this.reportProgramGone();
    return true;
  }

  /** Through the proxy, as if from Delve: this protocol's own `exited` and `terminated` handling runs. */
  private reportProgramGone(): void {
    this.proxy.reportDebuggeeEnd(unreportedExitCode(this.processId));
  }

  // ---- hidden pauses, to read while the program runs -----------------------------------------

  private mayPauseForReading(): boolean {
    return this.state.owner.kind === 'running' && this.state.pause === undefined && !this.terminated
      && this.engine.wantsLiveReadings() && !this.proxy.isHolding && this.proxy.isDelveOpen;
  }

  /**
   * A reading while the program runs: straight from its memory where the engine can, else a
   * hidden pause, a reading, and the program goes on (client requests wait meanwhile).
   */
  private async readWhileRunning(): Promise<void> {
    if (this.engine.readsWhileRunning?.()) {
      await this.readSafely();
      return;
    }
    let handled!: () => void;
    const stopHandled = new Promise<void>((resolve) => (handled = resolve));
    this.state.owner = { kind: 'live pause', handled };
    this.proxy.hold();
    let timer: NodeJS.Timeout | undefined;
    try {
      const response = await this.proxy.request('pause', { threadId: 1 });
      if (response.success) await Promise.race([stopHandled, new Promise<void>((resolve) => (timer = setTimeout(resolve, PAUSE_TIMEOUT_MS)))]);
    } catch (e) {
      this.log(`hidden pause failed: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
      if (this.state.owner.kind === 'live pause') this.state.owner = { kind: 'running' };
      this.proxy.release();
    }
  }

  private async handleLivePause(event: P.StoppedEvent): Promise<void> {
    const before = this.state.owner;
    this.state.owner = { kind: 'hidden' };
    try {
      await this.engine.atStop(event, this.ctx());
      await this.engine.read(this.ctx());
    } catch (e) {
      this.log(`live reading failed: ${(e as Error).message}`);
    } finally {
      await this.resumeOrPause(goroutineOf(event));
      this.noteStopHandled(before);
    }
  }

  // ---- the proxy's own instruction steps -----------------------------------------------------

  /** Moves one goroutine by one instruction while the proxy owns the stop; its stop is the proxy's. */
  private async stepInstruction(goroutine: number): Promise<void> {
    const before = this.state.owner;
    let done!: () => void;
    const stopped = new Promise<void>((resolve) => (done = resolve));
    this.state.owner = { kind: 'instruction', done };
    try {
      this.expectContinued += 1;
      const response = await this.proxy.request('next', { threadId: goroutine, granularity: 'instruction' });
      if (!response.success) {
        this.expectContinued = Math.max(0, this.expectContinued - 1);
        throw new Error(`stepping goroutine ${goroutine}: ${response.message}`);
      }
      await stopped;
    } finally {
      if (this.state.owner.kind === 'instruction') this.state.owner = before;
    }
  }

  // ---- console calls -----------------------------------------------------------------------

  /**
   * A function call from the debug console runs with the engine disarmed: a hidden stop inside it
   * would fail the call. If the call stops (the user's breakpoint in the called function), the
   * user owns that stop and the engine stays disarmed until Delve reports the call's return.
   */
  private async maybeConsoleCall(request: P.EvaluateRequest): Promise<boolean> {
    if (!CONSOLE_CALL.test(request.arguments?.expression ?? '') || this.state.owner.kind !== 'user') return false;
    this.state.owner = { kind: 'call', stopped: false };
    this.proxy.hold();
    try {
      await this.engine.beforeCall(this.ctx());
    } catch (e) {
      this.log(`disarming for a call failed: ${(e as Error).message}`);
    }
    this.proxy.forward(request, request.arguments, undefined, () => this.background(this.callSettled()));
    return true;
  }

  private async callSettled(): Promise<void> {
    const owner = this.state.owner;
    try {
      if (owner.kind !== 'call') return;
      this.state.owner = { kind: 'user' };
      if (owner.stopped) this.state.callUnfinished = true;
      else if (!this.terminated) await this.engine.afterCall(this.ctx());
    } catch (e) {
      this.log(`re-arming after a call failed: ${(e as Error).message}`);
    } finally {
      this.proxy.release();
    }
  }

  // ---- steps -------------------------------------------------------------------------------

  private async userStep(request: P.Request): Promise<boolean> {
    if (this.state.owner.kind !== 'user' || !this.engine.interruptsSteps() || this.state.callUnfinished) {
      // Nothing hidden can cut this step short: Delve carries it out as it is.
      if (this.state.owner.kind === 'user') this.state.owner = { kind: 'running' };
      return false;
    }
    const goroutine = (request.arguments as { threadId: number }).threadId;
    const depth = await this.sampler.depth(goroutine);
    const from = await this.position(goroutine);
    void this.driveStep(goroutine, depth, request.command as StepCommand, () => this.proxy.forward(request), from)
      .then((outcome) => this.endUserStep(outcome))
      .catch((e) => this.log(`step: ${(e as Error).stack ?? e}`));
    return true;
  }

  private async endUserStep(outcome: StepOutcome): Promise<void> {
    if (outcome.kind === 'stopped') await this.checkAndPresent(outcome.event);
    else if (outcome.kind === 'paused') await this.resumeOrPause(outcome.goroutine);
  }

  /** Runs a step through the driver, which owns every stop until it ends. */
  private async driveStep(goroutine: number, depth: number, command: StepCommand, start: () => void, from?: string): Promise<StepOutcome> {
    const before = this.state.owner;
    const driver = new StepDriver(this.stepHost());
    this.state.owner = { kind: 'step', driver };
    try {
      return await driver.run(goroutine, depth, command, start, from);
    } finally {
      if (this.state.owner.kind === 'step' && this.state.owner.driver === driver) {
        this.state.owner = before.kind === 'user' ? { kind: 'running' } : before;
      }
    }
  }

  /**
   * `go f(x)` starts the goroutine in a closure the compiler made, which calls f: Delve's step
   * into the goroutine goes through it to f, the one function it calls outside the runtime.
   */
  private async wrappedCall(wrapper: P.StackFrame): Promise<string | undefined> {
    const body = await this.proxy.call<P.DisassembleResponse['body']>('disassemble', { memoryReference: wrapper.instructionPointerReference, instructionCount: 64 }).catch(() => undefined);
    for (const instruction of body?.instructions ?? []) {
      const call = /^CALL ([^\s(]+)/.exec(instruction.instruction);
      if (call && !/^runtime\./.test(call[1])) return call[1];
    }
    return undefined;
  }

  private async position(goroutine: number): Promise<string> {
    const top = (await this.sampler.frames(goroutine, 1)).frames[0];
    return `${top?.path ?? top?.name}:${top?.line}`;
  }

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
        const ids = await this.bps.setInstructions(new Map([[frame.instructionPointerReference!, { condition }]]), STEP_RETURN_GROUP);
        if (ids.length === 0) throw new Error(`cannot break at ${frame.instructionPointerReference} to finish the step`);
      },
      lineAt: async (reference) => {
        const body = await this.proxy.call<P.DisassembleResponse['body']>('disassemble', { memoryReference: reference, instructionCount: 1 }).catch(() => undefined);
        return body?.instructions[0]?.line;
      },
      disarmReturn: async () => {
        await this.bps.setInstructions(new Map(), STEP_RETURN_GROUP);
      },
      isReturnStop: (e) => this.bps.lookup(e.body.hitBreakpointIds?.[0])?.group === STEP_RETURN_GROUP,
      absorbHiddenStop: async (e) => {
        this.proxy.hold();
        try {
          return (await this.absorbHiddenStop(e)) === 'allocation';
        } finally {
          this.proxy.release();
        }
      },
      isHiddenStop: (e) => this.isHiddenStop(e),
      pauseWanted: () => this.state.pause !== undefined,
      newestGoroutine: async () => {
        // The runtime appends every goroutine it makes to allgs; one made by newproc with an
        // allocation (the stop that cancelled the step) is new, so it is the last.
        const goroutine = await this.sampler.integer('runtime.allgs[len(runtime.allgs)-1].goid');
        if (goroutine === undefined) return undefined;
        const top = (await this.sampler.frames(goroutine, 1)).raw[0];
        if (!top) return undefined;
        return { goroutine, function: GO_WRAPPER.test(top.name) ? await this.wrappedCall(top) ?? top.name : top.name };
      },
      armEntry: async (goroutine, fn) => {
        const names = await this.bps.setFunctions(new Map([[fn, { condition: `runtime.curg.goid == ${goroutine}` }]]), STEP_ENTRY_GROUP);
        if (!names.has(fn)) throw new Error(`cannot break at ${fn} to step into goroutine ${goroutine}`);
      },
      disarmEntry: async () => {
        await this.bps.setFunctions(new Map(), STEP_ENTRY_GROUP);
      },
      isEntryStop: (e) => this.bps.lookup(e.body.hitBreakpointIds?.[0])?.group === STEP_ENTRY_GROUP,
    };
  }
}

/** Delve reports an injected call's return as a breakpoint stop without a breakpoint. */
function isCallReturnedStop(event: P.StoppedEvent): boolean {
  return event.body.reason === 'breakpoint' && event.body.hitBreakpointIds === undefined;
}
