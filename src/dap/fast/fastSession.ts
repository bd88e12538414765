/**
 * Fast mode: counts every heap allocation per line at native speed by reading the Go runtime's own
 * memory profile through the debugger, instead of stopping at every allocation.
 *
 * At a hidden breakpoint on `runtime.gcenable` (after the runtime's own initialization, which would
 * reset it) runtime.MemProfileRate is set to 1, so the runtime records every allocation with its
 * stack. The profile is read at every stop the user sees, now and then while the program runs (a
 * hidden pause), and at a hidden breakpoint on `runtime.exit`, before the process is gone (normal
 * exit, os.Exit and panics all pass it). The two kinds of allocation the profile cannot place are
 * caught at hidden stops of their own (see runtimeSites.ts), which are far rarer than allocations.
 *
 * Like the breakpoint engine, it plugs into the DapProxy's hooks and keeps the client's view of the
 * session exactly as plain Delve would present it: no hidden stop, breakpoint or console line
 * reaches the client, and the client's own requests wait while the proxy owns the program.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { UserCodeRoots } from '../../core/attribution';
import { buildReport, MallocReport, ProgramEnd } from '../../core/report';
import { Tally } from '../../core/tally';
import { parseVersion } from '../../core/versions';
import { HiddenBreakpoints } from '../hiddenBreakpoints';
import { isDeadProgramStop, unreportedExitCode } from '../processState';
import type { DapProxy, ProxyHooks } from '../proxy';
import { StackSampler } from '../stackSampler';
import { StepCommand, StepDriver, StepOutcome } from '../stepDriver';
import { StopCatcher } from './caughtStops';
import { fastStepHost } from './fastSteps';
import { HiddenInstructions } from './hiddenInstructions';
import { LivePauses } from './livePauses';
import { ProfileView, recordedStackLimit, sampleEveryAllocation } from './profileView';
import { programBinary } from './programBinary';
import { ProfileTallyNotes } from './profileTally';
import { findRuntimeSites, RuntimeSites, SITE_FUNCTIONS } from './runtimeSites';
import { Symbolizer } from './symbolizer';

export interface FastOptions {
  roots: UserCodeRoots;
  delveVersion: string;
  /** The program's Go version when the caller knows it; otherwise read from the program. */
  goVersion?: string;
  buildFlags: string;
  /** The executable; otherwise learned from the launch. */
  binary?: string;
  /** The environment the program was built in (`go` builds the symbolizer and disassembles with it). */
  env?: NodeJS.ProcessEnv;
  /** The least time between two readings while the program runs; 0 or absent: only at stops. */
  liveIntervalMs?: number;
  log?: (line: string) => void;
}

const PROFILING_START = 'runtime.gcenable';
const EXIT_FUNCTION = 'runtime.exit';
const STEP_INTERRUPTED = /^Step interrupted by a breakpoint\./;
/** How long a hidden pause may wait for Delve's stop before giving up. */
const PAUSE_TIMEOUT_MS = 5000;

function goroutineOf(event: P.StoppedEvent): number {
  return event.body.threadId ?? 0;
}

export class FastSession {
  readonly tally: Tally;
  private readonly bps: HiddenBreakpoints;
  private readonly instructions: HiddenInstructions;
  private readonly sampler: StackSampler;
  private readonly catcher: StopCatcher;
  private readonly live: LivePauses;
  private preparation?: Promise<Symbolizer>;
  private symbolizer?: Symbolizer;
  private view?: ProfileView;
  private goVersion?: string;
  private launchArgs?: Record<string, unknown>;
  private processId?: number;
  private attached = false;
  private installed = false;
  private profiling = false;
  private exitRead = false;
  private terminated = false;
  private program: ProgramEnd = {};
  private readonly warnings: string[] = [];
  private notes?: ProfileTallyNotes;
  private rateChangedTo?: number;
  private driver?: StepDriver;
  private expectContinued = 0;
  private swallowStepInterrupted = false;
  private pendingPause?: P.Request;
  private inHiddenStop = false;
  /** The user is looking at a stop (until they resume it). */
  private userStopped = false;
  private livePausing = false;
  /** The client asked Delve to pause: the next pause stop is the user's. */
  private userPaused = false;
  private stopHandled?: () => void;
  /** The proxy's own instruction step is under way: its stop is the proxy's. */
  private stepWaiter?: () => void;
  private readonly listeners: ((report: MallocReport) => void)[] = [];

  constructor(private readonly proxy: DapProxy, private readonly options: FastOptions) {
    this.tally = new Tally(options.roots);
    this.bps = new HiddenBreakpoints(proxy);
    this.instructions = new HiddenInstructions(this.bps);
    this.sampler = new StackSampler(proxy);
    const delve = parseVersion(options.delveVersion);
    const hitCounts = delve !== undefined && (delve.minor > 24 || (delve.minor === 24 && delve.patch >= 1));
    this.catcher = new StopCatcher(proxy, this.bps, () => this.options.roots, hitCounts, (l) => this.log(l));
    this.live = new LivePauses(() => this.options.liveIntervalMs ?? 0, () => this.mayPauseForReading(), () => this.readWhileRunning());
    const binary = options.binary;
    if (binary) this.preparation = this.prepare(async () => binary);
  }

  /** Settings that a DAP session learns only from its launch or attach request. */
  configure(settings: Partial<Pick<FastOptions, 'roots' | 'buildFlags' | 'goVersion' | 'binary' | 'liveIntervalMs'>>): void {
    Object.assign(this.options, settings);
    if (settings.roots) this.tally.setRoots(settings.roots);
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  onFinished(listener: (report: MallocReport) => void): void {
    this.listeners.push(listener);
  }

  report(): MallocReport {
    return buildReport(
      { go: this.goVersion ?? this.options.goVersion ?? 'unknown', delve: this.options.delveVersion, buildFlags: this.options.buildFlags, scope: 'run' },
      this.tally,
      { program: this.program, warnings: [...this.warnings, ...this.readingWarnings()] },
    );
  }

  private readingWarnings(): string[] {
    const out: string[] = [];
    if (this.catcher.lost > 0) out.push(`${this.catcher.lost} merged tiny allocations made at the same instant as others, on a thread running no goroutine, could not be read; they are not counted.`);
    if (this.notes?.truncated) out.push(`${this.notes.truncated} allocations have call stacks deeper than the runtime records; if a line of yours is further out, they are counted under a bucket instead.`);
    if (this.rateChangedTo !== undefined) out.push(`The program set runtime.MemProfileRate to ${this.rateChangedTo}; allocations after that are not all counted.`);
    if (this.terminated && this.profiling && !this.exitRead) out.push('The program ended without passing runtime.exit; the counts are those of the last reading.');
    return out;
  }

  hooks(): ProxyHooks {
    return {
      onClientRequest: (request) => this.onClientRequest(request),
      onDelveEvent: (event) => this.onDelveEvent(event),
      onDelveClosed: () => this.end(),
    };
  }

  // ---- client requests ---------------------------------------------------------------------

  private async onClientRequest(request: P.Request): Promise<boolean> {
    switch (request.command) {
      case 'launch':
        this.launchArgs = { ...(request.arguments as Record<string, unknown>) };
        return false;
      case 'attach':
        this.attached = true;
        this.warnings.push('Attached to a running process: allocations made before the attach are not counted.');
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
      case 'continue':
        this.userStopped = false;
        return false;
      case 'next':
      case 'stepIn':
      case 'stepOut':
        this.userStopped = false;
        if (!this.instructions.isArmed) return false;
        await this.userStep(request);
        return true;
      case 'pause':
        if (this.inHiddenStop || this.livePausing) {
          this.pendingPause = request;
          return true;
        }
        this.userPaused = true;
        return false;
      case 'evaluate':
        return this.maybeCall(request as P.EvaluateRequest);
      case 'malloclens/tally':
        if (this.userStopped && !this.terminated) await this.readProfile();
        this.proxy.respond(request, this.report());
        return true;
      case 'disconnect':
        this.live.stop();
        return false;
      default:
        return false;
    }
  }

  /** Function calls from the debug console run without the counting sites: a stop inside one fails the call. */
  private async maybeCall(request: P.EvaluateRequest): Promise<boolean> {
    if (!this.instructions.isArmed || !/^\s*call\s/.test(request.arguments?.expression ?? '')) return false;
    this.proxy.hold();
    await this.instructions.disarm();
    this.proxy.forward(request, request.arguments, (response) => {
      void this.instructions.rearm()
        .then(() => this.catcher.setSites(this.instructions.armedSites))
        .catch((e) => this.log(`re-arming after call failed: ${e}`))
        .finally(() => this.proxy.release());
      return response;
    });
    return true;
  }

  private forgetRun(): void {
    this.tally.clear();
    this.catcher.clear();
    this.view = undefined;
    this.notes = undefined;
    this.rateChangedTo = undefined;
    this.program = {};
    this.profiling = false;
    this.exitRead = false;
    this.terminated = false;
    this.installed = false;
    this.processId = undefined;
    this.symbolizer?.close();
    this.symbolizer = undefined;
    this.preparation = undefined;
  }

  // ---- installing ----------------------------------------------------------------------------

  private async readGoVersion(): Promise<string | undefined> {
    if (this.options.goVersion) return this.options.goVersion;
    const result = await this.sampler.evaluate('runtime.buildVersion');
    return result?.replace(/^"|"$/g, '');
  }

  /**
   * Starts reading the executable (symbols, record layout, where the runtime functions to catch
   * are) in the background, as soon as the executable is known, so that it overlaps Delve's launch;
   * the program waits for it only at the stop where profiling starts.
   */
  private prepare(binary: () => Promise<string>): Promise<Symbolizer> {
    const env = this.options.env ?? process.env;
    const preparation = (async () => {
      const file = await binary();
      const symbolizer = await Symbolizer.start(file, env, SITE_FUNCTIONS);
      if (this.terminated) symbolizer.close();
      this.symbolizer = symbolizer;
      // The runtime's compile unit is the biggest the helper reads; reading it now, while the
      // program runs, takes that time off the reading at the end.
      symbolizer.lookup(symbolizer.functions.map((f) => (f.instructions[0]?.address ?? 0n) + 1n)).catch(() => undefined);
      return symbolizer;
    })();
    preparation.catch(() => undefined);
    return preparation;
  }

  /** At configurationDone: the program exists and has not run yet (or, attached, is stopped). */
  private async install(): Promise<void> {
    if (this.installed) return;
    this.installed = true;
    this.goVersion = await this.readGoVersion();
    this.preparation ??= this.prepare(() => programBinary({ explicit: this.options.binary, processId: this.processId, launch: this.launchArgs }, this.proxy));
    await this.instructions.disarm();
    if (this.attached) {
      await this.startProfiling();
      await this.bps.setFunctions(new Map([[EXIT_FUNCTION, {}]]));
      return;
    }
    const names = await this.bps.setFunctions(new Map([[PROFILING_START, {}], [EXIT_FUNCTION, {}]]));
    if (!names.has(PROFILING_START)) this.warnings.push(`Fast mode could not stop at ${PROFILING_START}, so it counted nothing: ${this.bps.unverified().get(PROFILING_START) ?? 'unknown reason'}.`);
  }

  /** Turns on full sampling and the counting sites; the program is stopped. */
  private async startProfiling(): Promise<void> {
    let symbolizer: Symbolizer;
    let found: RuntimeSites;
    try {
      symbolizer = await this.preparation!;
      found = findRuntimeSites(symbolizer.functions);
    } catch (e) {
      this.warnings.push(`Fast mode could not read the program, so it counted nothing: ${(e as Error).message}`);
      return;
    }
    this.log(`${found.tinyMerges.length} tiny-merge sites, ${found.systemStackReturns.length} system-stack allocation sites`);
    const [, stackLimit] = await Promise.all([sampleEveryAllocation(this.proxy), recordedStackLimit(this.proxy)]);
    this.view = new ProfileView(this.proxy, symbolizer, () => this.options.roots, stackLimit);
    const sites = [
      ...found.tinyMerges.map((address) => ({ kind: 'tiny merge' as const, address })),
      ...found.systemStackReturns.map((address) => ({ kind: 'system stack' as const, address })),
    ];
    await this.instructions.arm(sites);
    await this.catcher.setSites(sites);
    this.profiling = true;
    this.live.start();
  }

  // ---- reading -------------------------------------------------------------------------------

  /** Reads the profile into the tally; the program must be stopped. Failures leave the last reading. */
  private async readProfile(): Promise<void> {
    if (!this.view) return;
    try {
      const reading = await this.view.read(this.tally, this.catcher.caught);
      this.notes = reading.notes;
      this.rateChangedTo = reading.rateChangedTo;
      this.live.noteReading();
      this.log(`profile read: ${this.tally.totals().count} allocations; ${JSON.stringify(reading.notes)}`);
    } catch (e) {
      this.log(`reading the profile failed: ${(e as Error).message}`);
    }
  }

  private mayPauseForReading(): boolean {
    return this.profiling && !this.terminated && !this.userStopped && !this.inHiddenStop && !this.driver && !this.livePausing && !this.proxy.isHolding && this.proxy.isDelveOpen;
  }

  /** A hidden pause, a reading, and the program goes on; client requests wait meanwhile. */
  private async readWhileRunning(): Promise<void> {
    this.livePausing = true;
    this.proxy.hold();
    try {
      const handled = new Promise<void>((resolve) => (this.stopHandled = resolve));
      const timeout = new Promise<void>((resolve) => setTimeout(resolve, PAUSE_TIMEOUT_MS).unref?.());
      const response = await this.proxy.request('pause', { threadId: 1 });
      if (response.success) await Promise.race([handled, timeout]);
    } catch (e) {
      this.log(`hidden pause failed: ${(e as Error).message}`);
    } finally {
      this.livePausing = false;
      this.stopHandled = undefined;
      this.proxy.release();
    }
  }

  private noteStopHandled(): void {
    const done = this.stopHandled;
    this.stopHandled = undefined;
    done?.();
  }

  // ---- Delve events --------------------------------------------------------------------------

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
      case 'output':
        return previousWasHiddenStop && STEP_INTERRUPTED.test((event as P.OutputEvent).body.output);
      case 'breakpoint':
        return this.bps.isHidden((event as P.BreakpointEvent).body.breakpoint.id);
      case 'process':
        this.processId = (event as P.ProcessEvent).body.systemProcessId;
        return false;
      case 'exited':
        this.program.exitCode = (event as P.ExitedEvent).body.exitCode;
        return false;
      case 'terminated':
        this.end();
        return false;
      default:
        return false;
    }
  }

  private isHiddenStop(event: P.StoppedEvent): boolean {
    const ids = event.body.hitBreakpointIds ?? [];
    return ids.length > 0 && ids.every((id) => this.bps.isHidden(id));
  }

  /**
   * Moves one goroutine by one instruction while the proxy owns the stop; the step's own stop is
   * the proxy's and never reaches the client.
   */
  private async stepInstruction(goroutine: number): Promise<void> {
    const stopped = new Promise<void>((resolve) => (this.stepWaiter = () => resolve()));
    this.expectContinued += 1;
    const response = await this.proxy.request('next', { threadId: goroutine, granularity: 'instruction' });
    if (!response.success) {
      this.stepWaiter = undefined;
      this.expectContinued = Math.max(0, this.expectContinued - 1);
      throw new Error(`stepping goroutine ${goroutine}: ${response.message}`);
    }
    await stopped;
  }

  private onStopped(event: P.StoppedEvent): boolean {
    // Killed from outside while held at a hidden stop: report the end as Delve would have.
    if (isDeadProgramStop(event.body)) {
      const waiter = this.stepWaiter;
      this.stepWaiter = undefined;
      waiter?.();
      this.proxy.reportDebuggeeEnd(unreportedExitCode(this.processId));
      return true;
    }
    if (this.stepWaiter) {
      const waiter = this.stepWaiter;
      this.stepWaiter = undefined;
      waiter();
      return true;
    }
    if (this.driver) {
      if (this.isHiddenStop(event)) this.swallowStepInterrupted = true;
      this.driver.deliver(event);
      return true;
    }
    const ours = this.livePausing && this.stopHandled !== undefined;
    if (this.isHiddenStop(event)) {
      this.swallowStepInterrupted = true;
      void this.handleHiddenStop(event).finally(() => ours && this.noteStopHandled());
      return true;
    }
    if (event.body.reason === 'pause' && !this.userPaused && this.profiling) {
      // Ours, or one of ours that Delve carried out late (after another stop had ended the wait).
      void this.handleLivePause(event).finally(() => ours && this.noteStopHandled());
      return true;
    }
    void this.presentStop(event).finally(() => ours && this.noteStopHandled());
    return true;
  }

  /** A stop the user must see: first catch what other threads stood on, then show it, then read. */
  private async presentStop(event: P.StoppedEvent): Promise<void> {
    this.proxy.hold();
    try {
      if (this.profiling && event.body.reason === 'pause') await this.catcher.settleAfterPause(event, (g) => this.stepInstruction(g));
      else if (this.profiling) await this.catcher.catchAround(event);
    } catch (e) {
      this.log(`checking a stop failed: ${(e as Error).message}`);
    } finally {
      // Any stop shown answers a pause the user asked for.
      this.userPaused = false;
      this.userStopped = true;
      this.proxy.forwardEvent(event);
      this.proxy.release();
    }
    await this.readProfile();
  }

  private async handleLivePause(event: P.StoppedEvent): Promise<void> {
    this.inHiddenStop = true;
    try {
      await this.catcher.settleAfterPause(event, (g) => this.stepInstruction(g));
      await this.readProfile();
    } catch (e) {
      this.log(`live reading failed: ${(e as Error).message}`);
    } finally {
      this.inHiddenStop = false;
      await this.resumeOrPause(goroutineOf(event));
    }
  }

  private async handleHiddenStop(event: P.StoppedEvent): Promise<void> {
    this.proxy.hold();
    this.inHiddenStop = true;
    try {
      await this.absorbHiddenStop(event);
    } catch (e) {
      this.log(`hidden stop: ${(e as Error).stack ?? e}`);
    } finally {
      this.inHiddenStop = false;
      await this.resumeOrPause(goroutineOf(event));
      this.proxy.release();
    }
  }

  /** Records what a hidden stop means without resuming; true when it caught an allocation. */
  private async absorbHiddenStop(event: P.StoppedEvent): Promise<boolean> {
    const id = event.body.hitBreakpointIds?.[0];
    const site = this.catcher.siteOf(id);
    if (site) {
      await this.catcher.catchStop(event, site);
      return true;
    }
    const hidden = this.bps.lookup(id);
    if (hidden?.kind === 'function' && hidden.key === PROFILING_START && !this.profiling) await this.startProfiling();
    if (hidden?.kind === 'function' && hidden.key === EXIT_FUNCTION) await this.onExitPath();
    return false;
  }

  private async onExitPath(): Promise<void> {
    const code = await this.sampler.integer('code');
    if (code !== undefined) this.program.exitCode = code;
    await this.readProfile();
    this.exitRead = this.view !== undefined;
  }

  /**
   * Ends a stop the proxy owned: the program goes on, unless the user asked for a pause meanwhile
   * (held here, or already answered by Delve while this stop was under way), which is then shown.
   */
  private async resumeOrPause(goroutine: number): Promise<void> {
    if (this.pendingPause || this.userPaused) {
      if (this.pendingPause) this.proxy.respond(this.pendingPause);
      this.pendingPause = undefined;
      this.userPaused = false;
      this.userStopped = true;
      this.proxy.sendEvent('stopped', { reason: 'pause', threadId: goroutine, allThreadsStopped: true, hitBreakpointIds: [] });
      void this.readProfile();
      return;
    }
    if (!this.proxy.isDelveOpen) return;
    await this.proxy.request('continue', { threadId: goroutine });
  }

  private end(): void {
    if (this.terminated) return;
    this.terminated = true;
    this.live.stop();
    this.driver?.end();
    this.symbolizer?.close();
    this.noteStopHandled();
    const report = this.report();
    for (const l of this.listeners) l(report);
  }

  // ---- a user's step -----------------------------------------------------------------------

  private async userStep(request: P.Request): Promise<void> {
    const goroutine = (request.arguments as { threadId: number }).threadId;
    const depth = await this.sampler.depth(goroutine);
    const host = fastStepHost({
      proxy: this.proxy,
      sampler: this.sampler,
      instructions: this.instructions,
      isHiddenStop: (e) => this.isHiddenStop(e),
      absorbHiddenStop: (e) => this.absorbHiddenStop(e),
      pauseWanted: () => this.pendingPause !== undefined,
      expectContinued: () => (this.expectContinued += 1),
      log: (l) => this.log(l),
    });
    const driver = new StepDriver(host);
    this.driver = driver;
    void driver
      .run(goroutine, depth, request.command as StepCommand, () => this.proxy.forward(request))
      .then((outcome) => this.endUserStep(outcome))
      .catch((e) => this.log(`step: ${(e as Error).stack ?? e}`))
      .finally(() => {
        if (this.driver === driver) this.driver = undefined;
      });
  }

  private endUserStep(outcome: StepOutcome): void {
    this.driver = undefined;
    if (outcome.kind === 'stopped') {
      this.userPaused = false;
      this.userStopped = true;
      this.proxy.forwardEvent(outcome.event);
      void this.readProfile();
    } else if (outcome.kind === 'paused') {
      void this.resumeOrPause(outcome.goroutine);
    }
  }
}
