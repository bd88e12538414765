/**
 * The one place that decides which counting engine a session runs, behind the one stop protocol:
 * the breakpoint engine (a stop per allocation, line scope, statement anatomy) or fast mode (the
 * runtime's own profile, whole runs at the program's speed; the default). The CLI asks with
 * `--engine`; a DAP client with the launch or attach argument `malloclens: { engine: "breakpoints" }`.
 */
import { BenchmarkTiming } from './benchmarkTiming';
import { BreakpointEngine, BreakpointEngineOptions } from './breakpointEngine';
import { FastEngine, FastEngineOptions } from './fast/fastEngine';
import type { DapProxy } from './proxy';
import { StopProtocol, StopProtocolOptions } from './stopProtocol';

export type AllocationSession = StopProtocol;

export type AllocationSessionOptions = BreakpointEngineOptions & Pick<FastEngineOptions, 'binary' | 'env' | 'overlaid'> & Pick<StopProtocolOptions, 'liveIntervalMs'> & {
  /** Count with the runtime's profile instead of a breakpoint per allocation. */
  fast?: boolean;
  /** Time testing.B's benchmarks (per op, over the windows the testing package measures). */
  benchmarks?: boolean;
};

export function createAllocationSession(proxy: DapProxy, options: AllocationSessionOptions): AllocationSession {
  if (options.fast && options.line) throw new Error('fast mode counts whole runs; counting one statement (line scope) needs the breakpoint engine');
  if (options.fast && options.inspector) throw new Error('fast mode cannot inspect single allocations; statement anatomy needs the breakpoint engine');
  if (options.benchmarks && options.line) throw new Error('benchmarks are counted over whole runs; counting one statement (line scope) cannot time them');
  const counting = options.fast ? new FastEngine(options) : new BreakpointEngine(options);
  const engine = options.benchmarks ? new BenchmarkTiming(counting) : counting;
  return new StopProtocol(proxy, engine, options);
}
