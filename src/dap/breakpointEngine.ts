/**
 * The breakpoint engine: hidden breakpoints on the runtime's allocators, one stop per allocation,
 * each charged to a source line. Counts a whole run, or (line scope) the first execution of one
 * statement with each allocation's anatomy. The stop protocol (stopProtocol.ts) owns every stop;
 * this file says what to arm and what an allocator stop means.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { AllocatorSet, allocatorsFor, isNestedAllocatorHit } from '../core/allocators';
import { isUserFile } from '../core/attribution';
import type { Scope } from '../core/report';
import { Tally } from '../core/tally';
import { parseVersion } from '../core/versions';
import type { AllocationInspector, CountingEngine, HiddenStopMeaning, LineTarget, SessionSettings, StopContext } from './engine';
import { goroutineOf } from './engine';
import type { StackSample } from './stackSampler';
import type { StepOutcome } from './stepDriver';

export interface BreakpointEngineOptions extends SessionSettings {
  /** Line scope: count the first execution of this statement only. */
  line?: LineTarget;
  /** Consulted for every counted allocation; with it, the report lists each allocation in order. */
  inspector?: AllocationInspector;
}

/** Delve ≥ 1.24.1 exposes its breakpoints' hit counts to expressions (`delve.bphitcount`). */
export function hitCountsReadable(delveVersion: string): boolean {
  const delve = parseVersion(delveVersion);
  return delve !== undefined && (delve.minor > 24 || (delve.minor === 24 && delve.patch >= 1));
}

export class BreakpointEngine implements CountingEngine {
  readonly name = 'breakpoints';
  readonly tally: Tally;
  private allocators?: AllocatorSet;
  private armed = false;
  private installed = false;
  /** Size-0 and nested allocator hits: seen by Delve, deliberately not counted. */
  private skipped = 0;
  /** Hits on other goroutines (or past the statement's end) while a statement is counted. */
  private foreignHits = 0;
  private harvestedHits = 0;
  private readonly hitCountsReadable: boolean;
  private hitCountsLost = false;
  private lineState: 'waiting' | 'counting' | 'done' = 'waiting';
  private lineGoroutine?: number;
  /** Line scope: frames on the goroutine's stack at the statement (its frame's place from the bottom). */
  private lineDepth?: number;
  private consoleCalls = 0;

  constructor(private readonly options: BreakpointEngineOptions) {
    this.tally = new Tally(options.roots, options.inspector !== undefined);
    this.hitCountsReadable = hitCountsReadable(options.delveVersion);
  }

  get scope(): Scope {
    return this.options.line ? 'line' : 'run';
  }

  /**
   * The program runs with GOMAXPROCS=1: Delve reports one goroutine per stop and steps other
   * threads over a breakpoint they hit at the same instant, unreported. With one P only one thread
   * can be inside the allocator at a time. A program attached to was started by someone else,
   * with the GOMAXPROCS they gave it (read from the program: gomaxprocsAttached).
   */
  launchArguments(args: Record<string, unknown>, request: 'launch' | 'attach'): Record<string, unknown> {
    if (request === 'attach') {
      this.attached = true;
      return args;
    }
    const env = { ...((args.env as Record<string, string> | undefined) ?? {}) };
    if (env.GOMAXPROCS && env.GOMAXPROCS !== '1') {
      this.warnings.push(`GOMAXPROCS=${env.GOMAXPROCS} was replaced by 1 while counting, so that no allocation is missed.`);
    }
    env.GOMAXPROCS = '1';
    return { ...args, env };
  }

  private readonly warnings: string[] = [];
  private attached = false;
  /** An attached program's runtime.gomaxprocs, once its runtime has set it. */
  private gomaxprocsAttached?: number;

  /** Reads an attached program's GOMAXPROCS (0 until the runtime has started). */
  private async noteGomaxprocs(context: StopContext): Promise<void> {
    if (!this.attached || this.gomaxprocsAttached) return;
    const n = await context.sampler.integer('runtime.gomaxprocs');
    if (n !== undefined && n > 0) this.gomaxprocsAttached = n;
  }

  readingWarnings(): string[] {
    const out = [...this.warnings];
    if (this.attached && this.gomaxprocsAttached !== 1) {
      const procs = this.gomaxprocsAttached === undefined ? 'a GOMAXPROCS malloclens could not read' : `GOMAXPROCS=${this.gomaxprocsAttached}`;
      out.push(`The program was started by someone else, with ${procs}, and malloclens limits GOMAXPROCS to 1 only in programs it launches: Delve reports one goroutine per stop and steps other threads over a breakpoint they hit at the same instant without a word, so allocations made at the same instant on other threads may be missing (the hit-count check says whether any were). Start the program with GOMAXPROCS=1 for exact counts.`);
    }
    if (this.consoleCalls > 0) out.push(`What ${this.consoleCalls === 1 ? 'a debug-console call' : `${this.consoleCalls} debug-console calls`} allocated, and what the program allocated while ${this.consoleCalls === 1 ? 'it' : 'they'} ran, is not counted: the breakpoint engine cannot stop inside a call.`);
    return out;
  }

  statement(): { file: string; line: number; endLine?: number; reached: boolean } | undefined {
    const line = this.options.line;
    return line ? { file: line.file, line: line.line, endLine: line.endLine, reached: this.lineState !== 'waiting' } : undefined;
  }

  check(): { delveHits: number; skipped: number; complete: boolean } | undefined {
    if (!this.hitCountsReadable || this.hitCountsLost || !this.installed) return undefined;
    const counted = this.tally.totals().count;
    return { delveHits: this.harvestedHits, skipped: this.skipped, complete: this.harvestedHits === counted + this.skipped + this.foreignHits };
  }

  forgetRun(): void {
    this.tally.clear();
    this.skipped = 0;
    this.foreignHits = 0;
    this.harvestedHits = 0;
    this.hitCountsLost = false;
    this.lineState = 'waiting';
    this.lineGoroutine = undefined;
  }

  end(): void {}

  // ---- installing and arming ---------------------------------------------------------------

  async install(context: StopContext): Promise<void> {
    await this.noteGomaxprocs(context);
    // After a restart the allocator breakpoints are set afresh, so that Delve's hit counts (the
    // completeness check) start from zero too.
    if (this.installed) await this.setAllocators(context, false);
    this.installed = true;
    const go = context.goVersion ? parseVersion(context.goVersion) : undefined;
    if (!go) context.warn('Could not read the program\'s Go version; assuming a current one.');
    this.allocators = allocatorsFor(go ?? { major: 1, minor: 26, patch: 0 });
    const line = this.options.line;
    if (!line) {
      await this.setAllocators(context, true);
      return;
    }
    // A statement's first instruction need not be on its first line: `f(a,\n g())` runs g()
    // (second line) before any code of the first line. So every line of it gets a breakpoint,
    // and the first one reached starts the count.
    const lines = new Map<number, object>();
    for (let l = line.line; l <= (line.endLine ?? line.line); l++) lines.set(l, {});
    const placed = await context.bps.setSourceLines(line.file, lines);
    if (!placed.some((p) => p.id !== undefined)) {
      throw new Error(`cannot stop at ${line.file}:${line.line}: ${placed[0]?.message ?? 'no code on that line'}`);
    }
  }

  private async setAllocators(context: StopContext, armed: boolean): Promise<void> {
    if (!armed) await this.harvestHitCounts(context);
    const specs = new Map<string, object>();
    if (armed) for (const name of this.allocators!.functions) specs.set(name, {});
    const names = await context.bps.setFunctions(specs);
    this.armed = armed;
    if (!armed) return;
    // Names that don't exist in this Go are expected; dropping them keeps later merges short.
    const live = this.allocators!.functions.filter((n) => names.has(n));
    if (live.length === 0) throw new Error(`no allocator breakpoint could be set (${[...context.bps.unverified().values()][0] ?? 'unknown reason'})`);
    this.allocators = { ...this.allocators!, functions: live };
  }

  /** Adds Delve's own hit counts of the allocator breakpoints (which a re-application resets). */
  private async harvestHitCounts(context: StopContext): Promise<void> {
    if (!this.hitCountsReadable || !this.armed) return;
    for (const name of this.allocators?.functions ?? []) {
      for (const id of context.bps.idsOf('function', name)) {
        const n = await context.sampler.integer(`delve.bphitcount[${id}]`);
        if (n === undefined) {
          this.hitCountsLost = true;
          return;
        }
        this.harvestedHits += n;
      }
    }
  }

  interruptsSteps(): boolean {
    return this.armed;
  }

  wantsLiveReadings(): boolean {
    return false;
  }

  async read(): Promise<void> {}

  async beforeCall(context: StopContext): Promise<void> {
    if (!this.armed) return;
    this.consoleCalls += 1;
    await this.setAllocators(context, false);
  }

  async afterCall(context: StopContext): Promise<void> {
    if (this.installed && !this.options.line && !this.armed) await this.setAllocators(context, true);
  }

  async atExit(context: StopContext): Promise<void> {
    // Nothing after this can be charged to a line: the counting window ends here.
    await this.harvestHitCounts(context);
    await this.noteGomaxprocs(context);
  }

  // ---- stops -------------------------------------------------------------------------------

  async onHiddenStop(event: P.StoppedEvent, context: StopContext): Promise<HiddenStopMeaning> {
    const hidden = context.bps.lookup(event.body.hitBreakpointIds?.[0]);
    if (hidden?.kind === 'source') return (await this.countStatement(event, context)) ? 'settled' : 'other';
    if (hidden && this.allocators?.functions.includes(hidden.key)) {
      await this.recordAllocation(goroutineOf(event), context);
      return 'allocation';
    }
    return 'other';
  }

  /** A pause that lands while a thread sits on an allocator breakpoint hides that hit. */
  async atStop(event: P.StoppedEvent, context: StopContext): Promise<boolean> {
    if (event.body.reason !== 'pause' || !this.armed) return false;
    const goroutine = goroutineOf(event);
    const top = await context.sampler.frames(goroutine, 1);
    const name = top.frames[0]?.name;
    if (!name || !this.allocators?.functions.includes(name)) return false;
    await this.recordAllocation(goroutine, context);
    return true;
  }

  private async recordAllocation(goroutine: number, context: StopContext): Promise<void> {
    const [size, sample] = await Promise.all([
      context.sampler.integer('size'),
      context.sampler.whole(goroutine),
    ]);
    if (size === undefined || size === 0 || isNestedAllocatorHit(sample.frames.map((f) => f.name), this.allocators!)) {
      this.skipped += 1;
      return;
    }
    if (this.scope === 'line' && (goroutine !== this.lineGoroutine || (await this.pastStatementEnd(goroutine, sample, context)))) {
      this.foreignHits += 1;
      return;
    }
    const details = this.options.inspector
      ? await this.options.inspector.inspect({ goroutine, size, frames: sample.frames, allocator: sample.frames[0]?.name ?? '' }, context.sampler)
      : undefined;
    this.tally.record({ size, frames: sample.frames, goroutine, details, truncated: !sample.complete });
  }

  // ---- line scope --------------------------------------------------------------------------

  /**
   * An allocation by the statement's own frame on a line outside the statement. A cancelled step
   * resumes at the call's return address, which for `_ = f()` is already the next line's code;
   * stepping on from there runs that line before the step ends, and what it allocates is not the
   * statement's. Deeper frames (callees, recursion) belong to the statement wherever they are.
   */
  private async pastStatementEnd(goroutine: number, sample: StackSample, context: StopContext): Promise<boolean> {
    const line = this.options.line!;
    const index = sample.frames.findIndex((f) => isUserFile(f.path, this.options.roots));
    const frame = sample.frames[index];
    if (index < 0 || frame.path !== line.file || frame.line === undefined) return false;
    if (frame.line >= line.line && frame.line <= (line.endLine ?? line.line)) return false;
    const depth = sample.complete ? sample.frames.length : await context.sampler.depth(goroutine);
    return depth - index === this.lineDepth;
  }

  /**
   * The hidden line breakpoint was reached. Arms the allocators, steps over the statement on this
   * goroutine, disarms, and lets the program run on. True when it has already decided how the
   * program goes on (the user saw a stop, or the program ended).
   */
  private async countStatement(event: P.StoppedEvent, context: StopContext): Promise<boolean> {
    const line = this.options.line!;
    const goroutine = goroutineOf(event);
    await context.bps.setSourceLines(line.file, new Map());
    this.lineState = 'counting';
    this.lineGoroutine = goroutine;
    const depth = await context.sampler.depth(goroutine);
    this.lineDepth = depth;
    await this.setAllocators(context, true);
    let outcome: StepOutcome;
    for (;;) {
      // Optimized code can return from a call onto an instruction the line table gives the next
      // line while the statement goes on (a loop's append): there a line change does not end the
      // step, and what runs past the statement's end is left out by pastStatementEnd instead.
      const from = this.options.buildFlags.includes('-N') ? await context.position(goroutine) : undefined;
      outcome = await context.step(goroutine, depth, 'next', from);
      if (outcome.kind !== 'stopped' || !(await this.stillInStatement(outcome.event, goroutine, depth, context))) break;
    }
    this.lineState = 'done';
    if (outcome.kind === 'ended') return true;
    await this.setAllocators(context, false);
    if (outcome.kind === 'stopped' && outcome.event.body.reason !== 'step') {
      // Something the user must see (an exception, their own breakpoint) ended the statement.
      context.present(outcome.event);
      return true;
    }
    return false;
  }

  /**
   * True while the goroutine is still inside the statement: same frame, a line of the statement.
   * A multi-line call evaluates its arguments on their own lines and then comes back to the first
   * line for the call; a statement that is itself a loop comes back to its line every iteration.
   */
  private async stillInStatement(event: P.StoppedEvent, goroutine: number, depth: number, context: StopContext): Promise<boolean> {
    const line = this.options.line!;
    if (event.body.reason !== 'step' || goroutineOf(event) !== goroutine) return false;
    const top = await context.sampler.frames(goroutine, 1);
    const frame = top.frames[0];
    if (!frame || frame.path !== line.file || frame.line === undefined) return false;
    if (frame.line < line.line || frame.line > (line.endLine ?? line.line)) return false;
    return (await context.sampler.depth(goroutine)) === depth;
  }
}
