/**
 * The one place that decides which counting engine a session runs, behind the one stop protocol:
 * the breakpoint engine (a stop per allocation, line scope, statement anatomy) or fast mode (the
 * runtime's own profile, whole runs at the program's speed; the default). The CLI asks with
 * `--engine`; a DAP client with the launch or attach argument `malloclens: { engine: "breakpoints" }`.
 */
import { BreakpointEngine, BreakpointEngineOptions } from './breakpointEngine';
import { FastEngine, FastEngineOptions } from './fast/fastEngine';
import type { DapProxy } from './proxy';
import { StopProtocol, StopProtocolOptions } from './stopProtocol';

export type AllocationSession = StopProtocol;

export type AllocationSessionOptions = BreakpointEngineOptions & Pick<FastEngineOptions, 'binary' | 'env' | 'overlaid'> & Pick<StopProtocolOptions, 'liveIntervalMs'> & {
  /** Count with the runtime's profile instead of a breakpoint per allocation. */
  fast?: boolean;
};

export function createAllocationSession(proxy: DapProxy, options: AllocationSessionOptions): AllocationSession {
  if (options.fast && options.line) throw new Error('fast mode counts whole runs; counting one statement (line scope) needs the breakpoint engine');
  if (options.fast && options.inspector) throw new Error('fast mode cannot inspect single allocations; statement anatomy needs the breakpoint engine');
  const engine = options.fast ? new FastEngine(options) : new BreakpointEngine(options);
  return new StopProtocol(proxy, engine, options);
}
