/**
 * Benchmarks per op, for either engine: hidden breakpoints on testing.B's timer methods mark the
 * windows the testing package measures (see core/benchmarkWindows.ts), and at each one the engine's
 * tally is read as it stands (fast mode reads the profile there first; the breakpoint engine's
 * tally is current at every stop). Everything else is the wrapped engine's.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { BenchmarkReport, BenchmarkWindows, snapshotOf, TimerMethod } from '../core/benchmarkWindows';
import type { Check } from '../core/report';
import type { CountingEngine, HiddenStopMeaning, StopContext } from './engine';
import { RuntimeMallocCounter } from './fast/runtimeMallocs';
import { delveWords, RangeCache } from './fast/targetMemory';

const GROUP = 'benchmark timer';
const TIMER_METHODS: Record<string, TimerMethod> = {
  'testing.(*B).StartTimer': 'StartTimer',
  'testing.(*B).StopTimer': 'StopTimer',
  'testing.(*B).ResetTimer': 'ResetTimer',
};
const SUB_BENCHMARK = 'testing.(*B).Run';

/** Delve renders a Go string quoted (`"BenchmarkX"`); it is read back as JSON, else as it came. */
function unquote(result: string | undefined): string | undefined {
  if (result === undefined) return undefined;
  try {
    const v: unknown = JSON.parse(result);
    return typeof v === 'string' ? v : result;
  } catch {
    return result;
  }
}

export class BenchmarkTiming implements CountingEngine {
  private readonly windows = new BenchmarkWindows();
  private readonly warnings: string[] = [];
  /** The runtime's own allocation count, read through Delve: testing's figure in the same run. */
  private mallocs?: Promise<RuntimeMallocCounter | undefined>;

  constructor(private readonly inner: CountingEngine) {}

  get name() {
    return this.inner.name;
  }

  get tally() {
    return this.inner.tally;
  }

  get scope() {
    return this.inner.scope;
  }

  benchmarks(): BenchmarkReport[] {
    return this.windows.results();
  }

  launchArguments(args: Record<string, unknown>, request: 'launch' | 'attach'): Record<string, unknown> {
    return this.inner.launchArguments(args, request);
  }

  async install(context: StopContext, attached: boolean): Promise<void> {
    await this.inner.install(context, attached);
    const names = [...Object.keys(TIMER_METHODS), SUB_BENCHMARK];
    const placed = await context.bps.setFunctions(new Map(names.map((n) => [n, {}])), GROUP);
    const missing = names.filter((n) => !placed.has(n));
    if (missing.length > 0) this.warnings.push(`Benchmarks cannot be timed: Delve could not stop at ${missing.join(', ')} (${context.bps.unverified().get(missing[0]) ?? 'unknown reason'}).`);
  }

  interruptsSteps(): boolean {
    return this.inner.interruptsSteps();
  }

  async onHiddenStop(event: P.StoppedEvent, context: StopContext): Promise<HiddenStopMeaning> {
    const hidden = context.bps.lookup(event.body.hitBreakpointIds?.[0]);
    if (hidden?.group !== GROUP) return this.inner.onHiddenStop(event, context);
    const name = unquote(await context.sampler.evaluate('b.name'));
    if (name === undefined) {
      this.warn(`cannot read the benchmark at ${hidden.key}`);
      return 'other';
    }
    if (hidden.key === SUB_BENCHMARK) {
      this.windows.ranSubBenchmark(name);
      return 'other';
    }
    const [timerOn, n] = await Promise.all([context.sampler.evaluate('b.timerOn'), context.sampler.integer('b.N')]);
    if (timerOn === undefined || n === undefined) {
      this.warn(`cannot read ${name}'s timer at ${hidden.key}`);
      return 'other';
    }
    const on = timerOn.trim() === 'true';
    const method = TIMER_METHODS[hidden.key];
    // Only a change of window needs what has been counted (fast mode reads the profile for it), and
    // the runtime's count at the same instant: the oracle of exactly that window.
    const needsReading = (method === 'StartTimer' && !on) || (method !== 'StartTimer' && on);
    const numGC = needsReading ? await context.sampler.integer('runtime.memstats.numgc') : undefined;
    if (needsReading) await this.inner.read(context);
    const mallocs = needsReading ? await this.mallocsNow(context) : undefined;
    const startAllocs = method === 'StopTimer' && on ? await context.sampler.integer('b.startAllocs') : undefined;
    const call = {
      name, timerOn: on, n, ...(numGC !== undefined ? { numGC } : {}),
      ...(mallocs !== undefined ? { mallocs } : {}), ...(startAllocs !== undefined ? { startAllocs } : {}),
    };
    context.log(`${hidden.key}: ${name} timerOn=${on} N=${n} numgc=${numGC ?? '-'}`);
    this.windows.timer(method, call, () => snapshotOf(this.inner.tally));
    return 'other';
  }

  /** The engine's own reading where it has one (fast mode: from the process's memory), else through Delve. */
  private async mallocsNow(context: StopContext): Promise<number | undefined> {
    if (this.inner.runtimeMallocs) return this.inner.runtimeMallocs(context);
    this.mallocs ??= RuntimeMallocCounter.askDelve(context.proxy).catch(() => undefined);
    return (await this.mallocs)?.count(new RangeCache(delveWords(context.proxy))).catch(() => undefined);
  }

  private warn(text: string): void {
    if (!this.warnings.includes(text)) this.warnings.push(text);
  }

  atStop(event: P.StoppedEvent, context: StopContext): Promise<boolean> {
    return this.inner.atStop(event, context);
  }

  atExit(context: StopContext): Promise<void> {
    return this.inner.atExit(context);
  }

  wantsLiveReadings(): boolean {
    return this.inner.wantsLiveReadings();
  }

  readsWhileRunning(): boolean {
    return this.inner.readsWhileRunning?.() ?? false;
  }

  read(context: StopContext): Promise<void> {
    return this.inner.read(context);
  }

  beforeCall(context: StopContext): Promise<void> {
    return this.inner.beforeCall(context);
  }

  afterCall(context: StopContext): Promise<void> {
    return this.inner.afterCall(context);
  }

  check(): Check | undefined {
    return this.inner.check?.();
  }

  statement() {
    return this.inner.statement?.();
  }

  readingWarnings(ended: boolean): string[] {
    return [...this.warnings, ...this.inner.readingWarnings(ended)];
  }

  forgetRun(): void {
    this.windows.clear();
    this.mallocs = undefined;
    this.inner.forgetRun();
  }

  end(): void {
    this.inner.end();
  }
}
