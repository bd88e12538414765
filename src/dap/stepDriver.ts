/**
 * Carries out one step (next, stepIn or stepOut) on a goroutine while hidden allocator breakpoints
 * are armed, so that it ends exactly where plain Delve would end it.
 *
 * Delve cancels a step when a breakpoint stops the goroutine being stepped, and keeps it (printing
 * "Step interrupted by a breakpoint") when the stop is on another goroutine. So: a hidden stop on
 * another goroutine is resumed with `continue`, which finishes the original step. A hidden stop on
 * the stepping goroutine means the step is gone; the driver then runs the goroutine back to the
 * frame the step began in (a hidden breakpoint on that frame's return address, conditioned on the
 * goroutine and the frame's offset in its stack, so recursion and other goroutines cannot trip it)
 * and issues the step again from there, mid-line, which is what it would have been.
 *
 * Where the interrupted call returns onto another line, the step ends on that return address, and
 * it must be reached the way plain Delve reaches it, by a stepping breakpoint of Delve's own: a
 * stop on one of the proxy's breakpoints leaves Delve remembering it as the thread's current
 * breakpoint after it is gone, so a breakpoint the user then sets on that line is stepped over
 * instead of hit, and a user breakpoint already standing there (with a hit condition) is not
 * counted as plain Delve's step would count it. So the way back there is two hops: a hidden
 * breakpoint on the return address inside the callee, then Delve's own `stepOut` onto the line.
 * `stepOut` straight from where the step was cancelled would be shorter, but Delve cannot step
 * out of a function running on the system stack (newproc's closure, morestack): it runs away.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';

export type StepCommand = 'next' | 'stepIn' | 'stepOut';

export interface StepHost {
  /** Sends a request of the proxy's own (steps also produce a `continued` event the host swallows). */
  send(command: string, args: object): Promise<void>;
  /** The goroutine's whole stack, innermost first. */
  stack(goroutine: number): Promise<P.StackFrame[]>;
  /** Where the goroutine is: its innermost frame's file and line (without it, a step whose call ended its line may overshoot by a line). */
  position?(goroutine: number): Promise<string>;
  /** Sets the hidden return breakpoint for `frame` (a caller frame of `goroutine`). */
  armReturn(goroutine: number, frame: P.StackFrame): Promise<void>;
  /** The source line of the instruction at a code address. */
  lineAt?(instructionReference: string): Promise<number | undefined>;
  disarmReturn(): Promise<void>;
  isReturnStop(event: P.StoppedEvent): boolean;
  /**
   * Handles a hidden allocator or exit stop in place. Resolves to false for a stop that is not an
   * allocation (the program is exiting): the driver then just lets the program go on.
   */
  absorbHiddenStop(event: P.StoppedEvent): Promise<boolean>;
  isHiddenStop(event: P.StoppedEvent): boolean;
  /** A client pause waiting to be honoured at the next stop the proxy owns. */
  pauseWanted(): boolean;
  /**
   * The goroutine a `go` statement just created, and the function it starts in (for a step into
   * it). Undefined when it cannot be told.
   */
  newestGoroutine?(): Promise<{ goroutine: number; function: string } | undefined>;
  /** Sets the hidden breakpoint at a function's first line, for one goroutine only. */
  armEntry?(goroutine: number, fn: string): Promise<void>;
  disarmEntry?(): Promise<void>;
  isEntryStop?(event: P.StoppedEvent): boolean;
}

export type StepOutcome =
  | { kind: 'stopped'; event: P.StoppedEvent }
  /** The client asked to pause while the proxy owned the target: the caller presents the pause. */
  | { kind: 'paused'; goroutine: number }
  | { kind: 'ended' };

function goroutineOf(event: P.StoppedEvent): number {
  return event.body.threadId ?? 0;
}

/**
 * How the driver gets back to the step's frame after a hidden stop cancelled the step: running to
 * a hidden breakpoint on a return address (in the step's frame, or in the callee when Delve's own
 * `stepOut` must make the last hop), or stepping out frame by frame.
 */
type WayBack =
  | { kind: 'none' }
  | { kind: 'returnBreakpoint'; thenStepOut: boolean }
  | { kind: 'stepOut' };

/** Functions whose frames a stepOut cannot leave (they switch stacks) or that hold no return address of their own. */
const NO_STEP_OUT = /^runtime\.(systemstack|mcall|morestack|morestack_noctxt|asmcgocall)(\.|$)/;

function lineOf(position: string): number {
  return Number(position.slice(position.lastIndexOf(':') + 1));
}


export class StepDriver {
  private readonly stops: P.StoppedEvent[] = [];
  private waiter?: (event: P.StoppedEvent | undefined) => void;
  private ended = false;
  private way: WayBack = { kind: 'none' };
  /** A stepIn on a `go` statement was cancelled inside runtime.newproc: it must end in the new goroutine. */
  private intoNewGoroutine = false;
  private entering = false;

  constructor(private readonly host: StepHost) {}

  /** Every Delve stopped event while the driver runs must come here. */
  deliver(event: P.StoppedEvent): void {
    if (this.waiter) {
      const w = this.waiter;
      this.waiter = undefined;
      w(event);
    } else {
      this.stops.push(event);
    }
  }

  /** The program exited or the session ended: the step can never finish. */
  end(): void {
    this.ended = true;
    this.waiter?.(undefined);
    this.waiter = undefined;
  }

  private next(): Promise<P.StoppedEvent | undefined> {
    if (this.stops.length > 0) return Promise.resolve(this.stops.shift());
    if (this.ended) return Promise.resolve(undefined);
    return new Promise((resolve) => (this.waiter = resolve));
  }

  /**
   * Runs `command` on `goroutine`, whose stack is `depth` frames deep. `start` sends the first
   * request (the client's own, forwarded, or one of the proxy's).
   */
  async run(goroutine: number, depth: number, command: StepCommand, start: () => void, from?: string): Promise<StepOutcome> {
    try {
      return await this.drive(goroutine, depth, command, start, from);
    } finally {
      if (this.way.kind === 'returnBreakpoint') await this.host.disarmReturn().catch(() => undefined);
      if (this.entering) await this.host.disarmEntry?.().catch(() => undefined);
    }
  }

  /** `from`: the position (`file:line`) the step starts at, as `position` gives it. */
  private async drive(goroutine: number, depth: number, command: StepCommand, start: () => void, from?: string): Promise<StepOutcome> {
    start();
    for (;;) {
      const event = await this.next();
      if (!event) return { kind: 'ended' };

      let backByStepOut = false;
      if (this.way.kind === 'stepOut' && !this.host.isHiddenStop(event) && goroutineOf(event) === goroutine && ['step', 'breakpoint'].includes(event.body.reason)) {
        const now = (await this.host.stack(goroutine)).length;
        if (event.body.reason === 'step' && now > depth) {
          await this.host.send('stepOut', { threadId: goroutine });
          continue;
        }
        // Back in the step's frame, by Delve's own stepping breakpoint: a breakpoint of the
        // user's there counted and reported as it would have been at the end of plain Delve's step.
        backByStepOut = now === depth;
      }
      const onReturnBreakpoint = this.way.kind === 'returnBreakpoint' && this.host.isReturnStop(event);
      if (this.way.kind === 'returnBreakpoint' && onReturnBreakpoint) {
        await this.host.disarmReturn();
        if (this.way.thenStepOut) {
          // In the callee, just after its own call returned: the last hop is Delve's.
          this.way = { kind: 'stepOut' };
          if (this.host.pauseWanted()) return { kind: 'paused', goroutine };
          await this.host.send('stepOut', { threadId: goroutine });
          continue;
        }
      }
      if (onReturnBreakpoint || backByStepOut) {
        // Back in the frame the step began in, just after the call that was interrupted.
        this.way = { kind: 'none' };
        if (this.host.pauseWanted()) return { kind: 'paused', goroutine };
        if (this.intoNewGoroutine && (await this.enterNewGoroutine())) continue;
        // A call that ends its line returns onto the next line's first instruction: that is where
        // next (or stepIn, with no call left on the line) would have stopped.
        if (command !== 'stepOut' && from !== undefined && this.host.position && (await this.host.position(goroutine)) !== from) {
          return { kind: 'stopped', event: backByStepOut ? event : { ...event, body: { reason: 'step', threadId: goroutine, allThreadsStopped: true } } };
        }
        await this.host.send(command, { threadId: goroutine });
        continue;
      }

      if (this.entering && this.host.isEntryStop?.(event)) {
        // The new goroutine's first line, where Delve's own step into a `go` statement ends.
        this.entering = false;
        await this.host.disarmEntry?.();
        if (this.host.pauseWanted()) return { kind: 'paused', goroutine: goroutineOf(event) };
        return { kind: 'stopped', event: { ...event, body: { reason: 'step', threadId: goroutineOf(event), allThreadsStopped: true } } };
      }

      if (this.host.isHiddenStop(event)) {
        const allocation = await this.host.absorbHiddenStop(event);
        if (this.host.pauseWanted()) return { kind: 'paused', goroutine: goroutineOf(event) };
        if (!allocation || goroutineOf(event) !== goroutine || this.way.kind === 'returnBreakpoint' || this.entering) {
          // Another goroutine (Delve kept the step), the exit path, or an allocation on the way
          // back to the return breakpoint: just go on.
          await this.host.send('continue', { threadId: goroutineOf(event) });
          continue;
        }
        const outcome = await this.resumeAfterCancelledStep(goroutine, depth, command, from);
        if (outcome === 'done') {
          return { kind: 'stopped', event: { ...event, body: { reason: 'step', threadId: goroutine, allThreadsStopped: true } } };
        }
        continue;
      }
      // The step (first or re-issued) finished, or something the user must see stopped it.
      return { kind: 'stopped', event };
    }
  }

  /** Sets the breakpoint where a step into the goroutine just created ends, and lets it run there. */
  private async enterNewGoroutine(): Promise<boolean> {
    this.intoNewGoroutine = false;
    const target = await this.host.newestGoroutine?.();
    if (!target || !this.host.armEntry) return false;
    await this.host.armEntry(target.goroutine, target.function);
    this.entering = true;
    await this.host.send('continue', { threadId: target.goroutine });
    return true;
  }

  private async resumeAfterCancelledStep(goroutine: number, depth: number, command: StepCommand, from?: string): Promise<'returning' | 'stepping' | 'done'> {
    const stack = await this.host.stack(goroutine);
    // Cancelled inside the runtime.newproc a `go` statement calls: Delve's step would have gone
    // into the new goroutine (its breakpoint in newproc went with the cancelled step).
    if (command === 'stepIn' && stack.length > depth && stack[stack.length - depth - 1]?.name === 'runtime.newproc') this.intoNewGoroutine = true;
    if (stack.length < depth) return 'done';
    if (stack.length === depth) {
      await this.host.send(command, { threadId: goroutine });
      return 'stepping';
    }
    const stepFrame = stack[stack.length - depth];
    const callee = stack[stack.length - depth - 1];
    const returnLine = from !== undefined && this.host.lineAt ? await this.host.lineAt(stepFrame.instructionPointerReference ?? '') : undefined;
    const endsTheStep = command !== 'stepOut' && from !== undefined && returnLine !== undefined && returnLine !== lineOf(from);
    if (!endsTheStep && (await this.arm(goroutine, stepFrame, false))) return 'returning';
    // Delve's own stepOut makes the last hop: from the callee itself when the step was cancelled
    // at its entry, else from just after the callee's own call returns.
    if (callee === stack[0] && !NO_STEP_OUT.test(callee.name)) return this.stepOut(goroutine);
    if (!NO_STEP_OUT.test(callee.name) && (await this.arm(goroutine, callee, true))) return 'returning';
    if (await this.arm(goroutine, stepFrame, false)) return 'returning';
    return this.stepOut(goroutine);
  }

  private async arm(goroutine: number, frame: P.StackFrame, thenStepOut: boolean): Promise<boolean> {
    try {
      await this.host.armReturn(goroutine, frame);
    } catch {
      // Delve allows one breakpoint per address, and a user's already stands there.
      return false;
    }
    this.way = { kind: 'returnBreakpoint', thenStepOut };
    await this.host.send('continue', { threadId: goroutine });
    return true;
  }

  private async stepOut(goroutine: number): Promise<'returning'> {
    this.way = { kind: 'stepOut' };
    await this.host.send('stepOut', { threadId: goroutine });
    return 'returning';
  }
}
