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
 * `stepOut` would be the obvious way back, but Delve cannot step out of a function running on the
 * system stack (newproc, morestack): it runs away. One breakpoint is also cheaper than a chain of
 * step-outs.
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


export class StepDriver {
  private readonly stops: P.StoppedEvent[] = [];
  private waiter?: (event: P.StoppedEvent | undefined) => void;
  private ended = false;
  /**
   * Running back to the step's frame: on a return-address breakpoint, or, where that address
   * already holds a breakpoint of the user's (Delve allows one per address), by stepping out.
   */
  private returning: false | 'breakpoint' | 'stepOut' = false;
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
      if (this.returning === 'breakpoint') await this.host.disarmReturn().catch(() => undefined);
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
      if (this.returning === 'stepOut' && !this.host.isHiddenStop(event) && goroutineOf(event) === goroutine && ['step', 'breakpoint'].includes(event.body.reason)) {
        const now = (await this.host.stack(goroutine)).length;
        if (event.body.reason === 'step' && now > depth) {
          await this.host.send('stepOut', { threadId: goroutine });
          continue;
        }
        // Back in the step's frame; the user's breakpoint there (why the return address could not
        // hold one of the proxy's) is where plain Delve's step would have ended anyway.
        backByStepOut = now === depth;
      }
      if ((this.returning === 'breakpoint' && this.host.isReturnStop(event)) || backByStepOut) {
        // Back in the frame the step began in, just after the call that was interrupted.
        if (this.returning === 'breakpoint') await this.host.disarmReturn();
        this.returning = false;
        if (this.host.pauseWanted()) return { kind: 'paused', goroutine };
        if (this.intoNewGoroutine && (await this.enterNewGoroutine())) continue;
        // A call that ends its line returns onto the next line's first instruction: that is where
        // next (or stepIn, with no call left on the line) would have stopped.
        if (command !== 'stepOut' && from !== undefined && this.host.position && (await this.host.position(goroutine)) !== from) {
          return { kind: 'stopped', event: { ...event, body: { reason: 'step', threadId: goroutine, allThreadsStopped: true } } };
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
        if (!allocation || goroutineOf(event) !== goroutine || this.returning === 'breakpoint' || this.entering) {
          // Another goroutine (Delve kept the step), the exit path, or an allocation on the way
          // back to the return breakpoint: just go on.
          await this.host.send('continue', { threadId: goroutineOf(event) });
          continue;
        }
        const outcome = await this.resumeAfterCancelledStep(goroutine, depth, command);
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

  private async resumeAfterCancelledStep(goroutine: number, depth: number, command: StepCommand): Promise<'returning' | 'stepping' | 'done'> {
    const stack = await this.host.stack(goroutine);
    // Cancelled inside the runtime.newproc a `go` statement calls: Delve's step would have gone
    // into the new goroutine (its breakpoint in newproc went with the cancelled step).
    if (command === 'stepIn' && stack.length > depth && stack[stack.length - depth - 1]?.name === 'runtime.newproc') this.intoNewGoroutine = true;
    if (stack.length > depth) {
      try {
        await this.host.armReturn(goroutine, stack[stack.length - depth]);
        this.returning = 'breakpoint';
        await this.host.send('continue', { threadId: goroutine });
      } catch {
        this.returning = 'stepOut';
        await this.host.send('stepOut', { threadId: goroutine });
      }
      return 'returning';
    }
    if (stack.length < depth) return 'done';
    await this.host.send(command, { threadId: goroutine });
    return 'stepping';
  }
}
