/**
 * What a counting engine is to the stop protocol (stopProtocol.ts). The protocol owns every stop,
 * every client request and every resume; an engine is a strategy that says what to arm, what a
 * hidden stop of its own means, and what to add at a visible stop and at the end. It never resumes
 * the program and never talks to the client.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { StackFrame, UserCodeRoots } from '../core/attribution';
import type { BenchmarkReport } from '../core/benchmarkWindows';
import type { EngineName } from '../core/engineChoice';
import type { Check, Scope } from '../core/report';
import type { PathRule } from '../core/substitutePath';
import type { Tally } from '../core/tally';
import type { HiddenBreakpoints } from './hiddenBreakpoints';
import type { DapProxy } from './proxy';
import type { StackSampler } from './stackSampler';
import type { StepCommand, StepOutcome } from './stepDriver';

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

/** What every session knows before the program starts. */
export interface SessionSettings {
  roots: UserCodeRoots;
  delveVersion: string;
  /** The target's Go version when the caller knows it; otherwise read from the target. */
  goVersion?: string;
  buildFlags: string;
  log?: (line: string) => void;
  /**
   * The configuration's `substitutePath` (editor path ← program path). Delve applies it to its own
   * answers; an engine applies it to paths it reads from the executable itself.
   */
  pathRules?: PathRule[];
  /** Delve runs elsewhere (a remote attach): a process ID it gives need not be one on this machine. */
  remote?: boolean;
}

/** Delve omits `threadId` (Go's omitempty) for stops on the system stack, goroutine 0. */
export function goroutineOf(event: P.StoppedEvent): number {
  return event.body.threadId ?? 0;
}

/** What the stop protocol lends an engine while the engine handles a stop the protocol owns. */
export interface StopContext {
  readonly proxy: DapProxy;
  readonly bps: HiddenBreakpoints;
  readonly sampler: StackSampler;
  /** The program's Go version, read at configurationDone. */
  readonly goVersion?: string;
  /** The debuggee's process ID, from Delve's `process` event. */
  readonly processId?: number;
  /**
   * Runs one step of the proxy's own on a goroutine (line scope), through the same driver as a
   * user's step, so that the engine's own hidden stops cannot cancel it.
   */
  step(goroutine: number, depth: number, command: StepCommand, from?: string): Promise<StepOutcome>;
  /** Moves one goroutine by one instruction; the stop that ends it is the proxy's. */
  stepInstruction(goroutine: number): Promise<void>;
  /** Where a goroutine is: `file:line` of its innermost frame. */
  position(goroutine: number): Promise<string>;
  /** Shows a stop to the client as Delve reported it (IDs renumbered). */
  present(event: P.StoppedEvent): void;
  /** A warning for the report (said once). */
  warn(text: string): void;
  log(line: string): void;
}

/** What a hidden stop turned out to be. */
export type HiddenStopMeaning =
  /** An allocation on the stopped goroutine (a step of that goroutine was cancelled by it). */
  | 'allocation'
  /** Something else of the engine's (the exit path, profiling switched on): the program goes on. */
  | 'other'
  /** The engine has already decided how the program goes on (line scope ended, program gone). */
  | 'settled';

export interface CountingEngine {
  readonly name: EngineName;
  readonly tally: Tally;
  readonly scope: Scope;
  /** Launch or attach arguments as Delve should see them (nothing else of the client's is changed). */
  launchArguments(args: Record<string, unknown>, request: 'launch' | 'attach'): Record<string, unknown>;
  /** At configurationDone, before the program runs: set the hidden breakpoints. */
  install(context: StopContext, attached: boolean): Promise<void>;
  /** True while a hidden breakpoint of the engine's can cancel a step on the stepping goroutine. */
  interruptsSteps(): boolean;
  /** A stop on one of the engine's hidden breakpoints; the program is stopped and stays so. */
  onHiddenStop(event: P.StoppedEvent, context: StopContext): Promise<HiddenStopMeaning>;
  /**
   * A stop the user will see (or a pause of the proxy's own), before anything resumes. True when
   * the stopped goroutine stands on one of the engine's breakpoints (a pause Delve reported for a
   * hit that coincided with one of its own halts).
   */
  atStop(event: P.StoppedEvent, context: StopContext): Promise<boolean>;
  /** The program is on its way out (a hidden breakpoint on runtime.exit): the last moment to read it. */
  atExit(context: StopContext): Promise<void>;
  /** The engine wants fresh counts now and then while the program runs. */
  wantsLiveReadings(): boolean;
  /** The engine can read while the program runs, with no pause (else each reading is a hidden pause). */
  readsWhileRunning?(): boolean;
  /** Fresh counts while the program is stopped (a user's stop, a hidden pause, the tally request). */
  read(context: StopContext): Promise<void>;
  /** A console `call` is about to run: nothing of the engine's may stop inside it. */
  beforeCall(context: StopContext): Promise<void>;
  /** The call has finished (its stop, if it stopped, has been shown). */
  afterCall(context: StopContext): Promise<void>;
  /** Delve's own hit-count check of what was counted, once the program has ended. */
  check?(): Check | undefined;
  /** Benchmarks per op, when the engine timed them (benchmarkTiming.ts). */
  benchmarks?(): BenchmarkReport[];
  /** The runtime's own allocation count now (MemStats.Mallocs), where the engine already reads it; the program is stopped. */
  runtimeMallocs?(context: StopContext): Promise<number | undefined>;
  /** The statement in line scope. */
  statement?(): { file: string; line: number; endLine?: number; reached: boolean } | undefined;
  /** Warnings about the readings themselves, at report time. */
  readingWarnings(ended: boolean): string[];
  /** A restart: the program runs again in the same session and counting starts over. */
  forgetRun(): void;
  /** The session is over. */
  end(): void;
  /**
   * The client detaches and the program lives on (a remote or attached program): undo what the
   * engine changed in the program. Only called while the program is stopped.
   */
  detach?(context: StopContext): Promise<void>;
}
