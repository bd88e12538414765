/**
 * The one place that decides which counting engine a session runs: the breakpoint engine
 * (CountingSession: a stop per allocation, line scope, statement anatomy) or fast mode (FastSession:
 * the runtime's own profile, whole runs at native speed). The CLI asks with `--fast`; a DAP client
 * with the launch or attach argument `malloclens: { fast: true }`.
 */
import type { UserCodeRoots } from '../core/attribution';
import type { MallocReport } from '../core/report';
import type { Tally } from '../core/tally';
import { CountingOptions, CountingSession } from './countingSession';
import { FastOptions, FastSession } from './fast/fastSession';
import type { DapProxy, ProxyHooks } from './proxy';

/** What both engines offer whoever drives a session. */
export interface AllocationSession {
  readonly tally: Tally;
  report(): MallocReport;
  onFinished(listener: (report: MallocReport) => void): void;
  hooks(): ProxyHooks;
  configure(settings: { roots?: UserCodeRoots; buildFlags?: string; goVersion?: string }): void;
}

export type AllocationSessionOptions = CountingOptions & Partial<Pick<FastOptions, 'binary' | 'env' | 'liveIntervalMs'>> & {
  /** Count with the runtime's profile instead of a breakpoint per allocation. */
  fast?: boolean;
};

/** `malloclens: { fast: true }` among a launch or attach request's arguments. */
export function fastRequested(requestArguments: unknown): boolean {
  const own = (requestArguments as { malloclens?: { fast?: unknown } } | undefined)?.malloclens;
  return own?.fast === true;
}

export function createAllocationSession(proxy: DapProxy, options: AllocationSessionOptions): AllocationSession {
  if (!options.fast) return new CountingSession(proxy, options);
  if (options.line) throw new Error('fast mode counts whole runs; counting one statement (line scope) needs the breakpoint engine');
  if (options.inspector) throw new Error('fast mode cannot inspect single allocations; statement anatomy needs the breakpoint engine');
  return new FastSession(proxy, {
    roots: options.roots, delveVersion: options.delveVersion, goVersion: options.goVersion, buildFlags: options.buildFlags,
    binary: options.binary, env: options.env, liveIntervalMs: options.liveIntervalMs, log: options.log,
  });
}
