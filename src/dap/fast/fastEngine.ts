/**
 * Fast mode: counts every heap allocation per line at the program's speed by reading the Go
 * runtime's own memory profile through the debugger, instead of stopping at every allocation.
 *
 * At a hidden breakpoint on `runtime.gcenable` (after the runtime's own initialization, which would
 * reset it) runtime.MemProfileRate is set to 1, so the runtime records every allocation with its
 * stack. The profile is read at every stop the user sees, now and then while the program runs (a
 * hidden pause), and on the way out (runtime.exit: normal exit, os.Exit and panics all pass it).
 * The two kinds of allocation the profile cannot place are caught at hidden stops of their own
 * (see runtimeSites.ts), which are far rarer than allocations. The stop protocol
 * (stopProtocol.ts) owns every stop; this file says what to arm and what to read.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { Check, Scope } from '../../core/report';
import { Tally } from '../../core/tally';
import { parseVersion } from '../../core/versions';
import type { CountingEngine, HiddenStopMeaning, SessionSettings, StopContext } from '../engine';
import { hitCountsReadable } from '../breakpointEngine';
import { StopCatcher } from './caughtStops';
import { HiddenInstructions } from './hiddenInstructions';
import { toClientPath } from '../../core/substitutePath';
import { localProcess } from './localProcess';
import { ProfileView, setMemProfileRate, stackLimitAtReading } from './profileView';
import { ProcessMemory } from './processMemory';
import { programBinary } from './programBinary';
import { RuntimeMallocCounter } from './runtimeMallocs';
import { ProfileTallyNotes } from './profileTally';
import { findRuntimeSites, RuntimeSites, SITE_FUNCTIONS } from './runtimeSites';
import { Symbolizer } from './symbolizer';

export interface FastEngineOptions extends SessionSettings {
  /** The executable; otherwise learned from the launch. */
  binary?: string;
  /** The environment the program was built in (`go` builds the symbolizer and disassembles with it). */
  env?: NodeJS.ProcessEnv;
  /**
   * The program was built with fast mode's runtime overlay (runtimeOverlay.ts): its profile has
   * every allocation on its line, so nothing needs a stop. Otherwise (a prebuilt binary, an
   * attach) merged tiny allocations and system-stack ones are caught at hidden stops.
   */
  overlaid?: boolean;
}

const PROFILING_START = 'runtime.gcenable';
/** A function pattern that matches none: an overlaid runtime needs no disassembly. */
const NO_FUNCTIONS = '^$';

export class FastEngine implements CountingEngine {
  readonly name = 'fast';
  readonly tally: Tally;
  readonly scope: Scope = 'run';
  private preparation?: Promise<Symbolizer>;
  private symbolizer?: Symbolizer;
  private instructions?: HiddenInstructions;
  private catcher?: StopCatcher;
  private view?: ProfileView;
  private memory?: ProcessMemory;
  private launchArgs?: Record<string, unknown>;
  private profiling = false;
  private exitRead = false;
  private ended = false;
  private readonly warnings: string[] = [];
  private notes?: ProfileTallyNotes;
  /**
   * The runtime's allocation count where profiling started and where the program exited, and what
   * the profile already held at the start (allocations the default rate sampled before).
   */
  private mallocs: { start?: number; exit?: number; profiledBefore?: number } = {};
  private rateChangedTo?: number;
  private mallocCounter?: RuntimeMallocCounter;
  /** runtime.MemProfileRate before fast mode set it to 1. */
  private rateBefore?: string;
  /** The debuggee's PID on this machine, once asked (undefined inside: it is not here). */
  private pid?: { value: number | undefined };

  /**
   * The executable is read from configurationDone on, not from the start of the session even when
   * it is known then: Delve's launch waits 200 ms whenever the new process has not stopped yet at
   * its first look (pkg/proc/native, `wait`), and a helper reading a large executable's DWARF at
   * that moment on a busy machine made that happen in most runs.
   */
  constructor(private readonly options: FastEngineOptions) {
    this.tally = new Tally(options.roots);
  }

  launchArguments(args: Record<string, unknown>): Record<string, unknown> {
    this.launchArgs = args;
    return args;
  }

  readingWarnings(ended: boolean): string[] {
    const out = [...this.warnings];
    if (this.catcher && this.catcher.lost > 0) out.push(`${this.catcher.lost} merged tiny allocations made at the same instant as others, on a thread running no goroutine, could not be read; they are not counted.`);
    if (this.notes?.truncated) out.push(`${this.notes.truncated} allocations have call stacks deeper than the runtime records; if a line of yours is further out, they are counted under a bucket instead.`);
    if (this.rateChangedTo !== undefined) out.push(`The program set runtime.MemProfileRate to ${this.rateChangedTo}; allocations after that are not all counted.`);
    if (ended && this.profiling && !this.exitRead) out.push('The program ended without passing runtime.exit; the counts are those of the last reading.');
    const check = this.check();
    if (check && !check.complete) {
      const missing = check.runtimeMallocs! - check.counted!;
      out.push(missing > 0
        ? `The runtime counted ${check.runtimeMallocs} allocations while the profile was on; ${missing} of them are in no profile record (the runtime does not profile an allocation made while a new thread is being set up, or one made at the instant the program was stopped).`
        : `The report has ${-missing} allocations more than the runtime counted while the profile was on${this.options.overlaid ? '' : ': the program was most likely stopped while the garbage collector was publishing a profile cycle, which the stock runtime\'s records then show twice (fast mode\'s own build has no such moment)'}.`);
    }
    return out;
  }

  forgetRun(): void {
    this.tally.clear();
    this.catcher?.clear();
    this.view = undefined;
    this.notes = undefined;
    this.rateChangedTo = undefined;
    this.mallocCounter = undefined;
    this.profiling = false;
    this.exitRead = false;
    this.ended = false;
    this.symbolizer?.close();
    this.symbolizer = undefined;
    this.preparation = undefined;
    this.pid = undefined;
  }

  end(): void {
    this.ended = true;
    this.symbolizer?.close();
    this.memory?.close();
  }

  // ---- installing ----------------------------------------------------------------------------

  /**
   * Starts reading the executable (symbols, record layout, where the runtime functions to catch
   * are) in the background once the process exists, so that it overlaps the program's start; the
   * program waits for it only at the stop where profiling starts.
   */
  private prepare(binary: () => Promise<string>): Promise<Symbolizer> {
    const env = this.options.env ?? process.env;
    const preparation = (async () => {
      const file = await binary();
      const rules = this.options.pathRules ?? [];
      const symbolizer = await Symbolizer.start(file, env, this.options.overlaid ? NO_FUNCTIONS : SITE_FUNCTIONS, (f) => toClientPath(f, rules), this.options.goVersion);
      if (this.ended) symbolizer.close();
      this.symbolizer = symbolizer;
      return symbolizer;
    })();
    preparation.catch(() => undefined);
    return preparation;
  }

  /** At configurationDone: the program exists and has not run yet (or, attached, is stopped). */
  async install(context: StopContext, attached: boolean): Promise<void> {
    this.instructions ??= new HiddenInstructions(context.bps);
    this.catcher ??= new StopCatcher(context.proxy, context.bps, () => this.options.roots, hitCountsReadable(this.options.delveVersion), (l) => context.log(l));
    // Without a process yet (a restart sends none), the executable is found where profiling starts.
    if (context.processId !== undefined && !this.options.remote) this.preparation ??= this.prepare(async () => programBinary({ explicit: this.options.binary, processId: context.processId, launch: this.launchArgs }));
    await this.instructions.disarm();
    // An attach to a program whose runtime has not started (a headless `dlv debug|exec` waits at
    // the entry point) counts as a launch does; one to a running program counts from now on.
    if (attached && (await runtimeStarted(context))) {
      this.warnings.push('Attached to a running program: only allocations from the attach on are counted (fast mode turned on the runtime\'s full profile, runtime.MemProfileRate = 1, when it attached).');
      await this.startProfiling(context);
      return;
    }
    // The overlay's runtime profiles every allocation from its first: nothing to stop for, where
    // the process is known now. A restart names none (the process and its executable are found
    // once its runtime has started, at the stop below, which then counts from there).
    if (this.options.overlaid && !attached && context.processId !== undefined && !this.options.remote) {
      context.log('profiling from the program\'s first allocation (the overlay\'s runtime): no stop starts it');
      // The program stands at its entry, Delve's and the proxy's: the profile is located now.
      const symbolizer = await this.openProfile(context);
      if (symbolizer) await this.locateMallocCounter(context, symbolizer);
      this.mallocs = { start: 0, profiledBefore: 0 };
      this.profiling = true;
      return;
    }
    const names = await context.bps.setFunctions(new Map([[PROFILING_START, {}]]));
    if (!names.has(PROFILING_START)) this.warnings.push(`Fast mode could not stop at ${PROFILING_START}, so it counted nothing: ${context.bps.unverified().get(PROFILING_START) ?? 'unknown reason'}.`);
  }

  /** The executable read and the profile located (the program is stopped); undefined when it cannot be read. */
  private async openProfile(context: StopContext): Promise<Symbolizer | undefined> {
    let symbolizer: Symbolizer;
    try {
      const pid = await this.localPid(context);
      // After a restart nothing asked for the new run's executable yet.
      this.preparation ??= this.prepare(async () => programBinary({ explicit: this.options.binary, processId: pid, launch: this.launchArgs, remote: this.options.remote }));
      symbolizer = await this.preparation;
    } catch (e) {
      this.warnings.push(`Fast mode could not read the program, so it counted nothing: ${(e as Error).message}`);
      return undefined;
    }
    this.view = await this.openView(context, symbolizer, stackLimitAtReading(context.proxy, parseVersion(this.options.goVersion ?? '')?.minor));
    return symbolizer;
  }

  /** The runtime's allocation count, where it can be read. */
  private async locateMallocCounter(context: StopContext, symbolizer: Symbolizer): Promise<void> {
    this.mallocCounter = await RuntimeMallocCounter.locate(context.proxy, symbolizer.layout).catch((e) => {
      context.log(`the runtime's allocation count cannot be read: ${(e as Error).message}`);
      return undefined;
    });
  }

  /** Turns on full sampling and the counting sites; the program is stopped. */
  private async startProfiling(context: StopContext): Promise<void> {
    const symbolizer = await this.openProfile(context);
    if (!symbolizer) return;
    const found: RuntimeSites = this.options.overlaid ? { tinyMerges: [], systemStackReturns: [] } : findRuntimeSites(symbolizer.functions);
    context.log(`${found.tinyMerges.length} tiny-merge sites, ${found.systemStackReturns.length} system-stack allocation sites`);
    this.rateBefore = await this.view!.setRate(1);
    const sites = [
      ...found.tinyMerges.map((address) => ({ kind: 'tiny merge' as const, address })),
      ...found.systemStackReturns.map((address) => ({ kind: 'system stack' as const, address })),
    ];
    if (sites.length > 0) {
      await this.instructions!.arm(sites);
      await this.catcher!.setSites(sites);
    }
    await this.locateMallocCounter(context, symbolizer);
    this.mallocs = { start: await this.runtimeCount(context), profiledBefore: await this.profiledNow() };
    this.profiling = true;
  }

  /**
   * The process on this machine: the one Delve's `process` event names (a local Delve), else the
   * program's own PID once its memory proves it is this program (localProcess.ts); undefined when
   * the program is elsewhere.
   */
  private async localPid(context: StopContext): Promise<number | undefined> {
    if (this.pid) return this.pid.value;
    let value: number | undefined;
    if (context.processId !== undefined && !this.options.remote) value = context.processId;
    else {
      const found = await localProcess(context.proxy);
      context.log(`the debuggee: ${found.reason}`);
      value = found.pid;
    }
    this.pid = { value };
    return value;
  }

  /** The profile read from the process's own memory where the kernel allows, else through Delve. */
  private async openView(context: StopContext, symbolizer: Symbolizer, stackLimit: () => Promise<number>): Promise<ProfileView> {
    const pid = await this.localPid(context);
    // MALLOCLENS_MEMORY=delve reads through Delve's requests only (as for a Delve elsewhere).
    const direct = (this.options.env ?? process.env).MALLOCLENS_MEMORY !== 'delve';
    this.memory = pid === undefined || !direct ? undefined : ProcessMemory.open(pid);
    if (this.memory) {
      const view = new ProfileView(context.proxy, symbolizer, () => this.options.roots, stackLimit, this.memory);
      try {
        await view.locate();
        context.log(`reading the profile from /proc/${pid}/mem`);
        return view;
      } catch (e) {
        context.log(`reading through Delve: ${(e as Error).message}`);
        this.memory.close();
        this.memory = undefined;
      }
    }
    context.log('reading the profile through Delve\'s requests');
    return new ProfileView(context.proxy, symbolizer, () => this.options.roots, stackLimit);
  }

  interruptsSteps(): boolean {
    return this.instructions?.isArmed ?? false;
  }

  wantsLiveReadings(): boolean {
    return this.profiling && !this.ended;
  }

  readsWhileRunning(): boolean {
    return this.view?.readsWhileRunning ?? false;
  }

  // ---- stops -------------------------------------------------------------------------------

  async onHiddenStop(event: P.StoppedEvent, context: StopContext): Promise<HiddenStopMeaning> {
    const id = event.body.hitBreakpointIds?.[0];
    const site = this.catcher?.siteOf(id);
    if (site) {
      await this.catcher!.catchStop(event, site);
      return 'allocation';
    }
    const hidden = context.bps.lookup(id);
    if (hidden?.kind === 'function' && hidden.key === PROFILING_START && !this.profiling) await this.startProfiling(context);
    return 'other';
  }

  /** Before a stop is shown (or a hidden pause read): catch what other threads stood on. */
  async atStop(event: P.StoppedEvent, context: StopContext): Promise<boolean> {
    if (!this.profiling || !this.instructions?.isArmed) return false;
    if (event.body.reason === 'pause') await this.catcher!.settleAfterPause(event, (g) => context.stepInstruction(g));
    else await this.catcher!.catchAround(event);
    // What stood on a site is caught and moved on; the stop itself is whoever asked for it.
    return false;
  }

  /** Reads the profile into the tally; the program must be stopped. */
  async read(context: StopContext): Promise<void> {
    if (!this.view) return;
    const reading = await this.view.read(this.tally, this.catcher!.caught);
    this.notes = reading.notes;
    this.rateChangedTo = reading.rateChangedTo;
    context.log(`profile read: ${this.tally.totals().count} allocations; ${JSON.stringify(reading.notes)}; ${reading.timing}`);
  }

  async atExit(context: StopContext): Promise<void> {
    try {
      await this.read(context);
      this.exitRead = this.view !== undefined;
      if (this.mallocs.start !== undefined) this.mallocs.exit = await this.runtimeCount(context);
    } catch (e) {
      context.log(`reading the profile at exit failed: ${(e as Error).message}`);
    }
  }

  runtimeMallocs(context: StopContext): Promise<number | undefined> {
    return this.runtimeCount(context);
  }

  /** The runtime's own allocation count now (undefined when it cannot be read). */
  private async runtimeCount(context: StopContext): Promise<number | undefined> {
    if (!this.view || !this.mallocCounter) return undefined;
    try {
      return await this.mallocCounter.count(this.view.memoryNow());
    } catch (e) {
      context.log(`reading the runtime's allocation count failed: ${(e as Error).message}`);
      return undefined;
    }
  }

  /** What the profile holds now. */
  private async profiledNow(): Promise<number | undefined> {
    return this.view!.profiledCount().catch(() => undefined);
  }

  /** Over the part of the run the profile saw: what the runtime counted against what was charged. */
  check(): Check | undefined {
    const { start, exit, profiledBefore } = this.mallocs;
    if (start === undefined || exit === undefined || profiledBefore === undefined || !this.exitRead) return undefined;
    const counted = this.tally.totals().count - profiledBefore;
    return { runtimeMallocs: exit - start, counted, complete: exit - start === counted };
  }

  /**
   * The program goes on without malloclens (a detach from a headless Delve): the sampling rate
   * back to what it was, so the program does not pay for a profile of every allocation.
   */
  async detach(context: StopContext): Promise<void> {
    if (this.rateBefore === undefined || !this.profiling) return;
    await setMemProfileRate(context.proxy, Number(this.rateBefore));
    context.log(`runtime.MemProfileRate set back to ${this.rateBefore}`);
  }

  /** The counting sites come out for a console call: a stop inside one fails the call. */
  async beforeCall(): Promise<void> {
    if (this.instructions?.isArmed) await this.instructions.disarm();
  }

  async afterCall(): Promise<void> {
    if (!this.profiling || !this.instructions || this.instructions.isArmed) return;
    await this.instructions.rearm();
    await this.catcher!.setSites(this.instructions.armedSites);
  }
}

/** The runtime has finished starting (runtime.gcenable has run), so MemProfileRate stays as set. */
async function runtimeStarted(context: StopContext): Promise<boolean> {
  const enabled = await context.sampler.evaluate('runtime.memstats.enablegc');
  return enabled?.trim() !== 'false';
}
