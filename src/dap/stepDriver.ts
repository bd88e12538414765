/**
 * Carries out one step (next, stepIn or stepOut) on a goroutine while hidden allocator breakpoints
 * are armed, so that it ends exactly where plain Delve would end it.
 *
 * Delve cancels a step when a breakpoint stops the goroutine being stepped, and keeps it (printing
 * "Step interrupted by a breakpoint") when the stop is on another goroutine. So: a hidden stop on
 * another goroutine is resumed with `continue`, which finishes the original step; a hidden stop on
 * the stepping goroutine is unwound with `stepOut` until the stack is back at the depth where the
 * step began, and the step is issued again from there (mid-line, which is what it would have been).
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';

export type StepCommand = 'next' | 'stepIn' | 'stepOut';

export interface StepHost {
  /** Sends a request of the proxy's own (steps also produce a `continued` event the host swallows). */
  send(command: string, args: object): Promise<void>;
  /** Exact stack depth of a goroutine. */
  depth(goroutine: number): Promise<number>;
  /**
   * Handles a hidden stop in place (records an allocation, reads the exit state). Resolves to
   * false for a stop that is not an allocation (the program is exiting): the driver then just
   * lets the program go on.
   */
  absorbHiddenStop(event: P.StoppedEvent): Promise<boolean>;
  isHiddenStop(event: P.StoppedEvent): boolean;
  /** A client pause waiting to be honoured at the next stop the proxy owns. */
  pauseWanted(): boolean;
}

export type StepOutcome =
  | { kind: 'stopped'; event: P.StoppedEvent }
  /** The client asked to pause while the proxy owned the target: the caller presents the pause. */
  | { kind: 'paused'; goroutine: number }
  | { kind: 'ended' };

export class StepDriver {
  private readonly stops: P.StoppedEvent[] = [];
  private waiter?: (event: P.StoppedEvent | undefined) => void;
  private ended = false;

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
  async run(goroutine: number, depth: number, command: StepCommand, start: () => void): Promise<StepOutcome> {
    start();
    let phase: Phase = 'stepping';
    for (;;) {
      const event = await this.next();
      if (!event) return { kind: 'ended' };
      const body = event.body;

      if (this.host.isHiddenStop(event)) {
        const allocation = await this.host.absorbHiddenStop(event);
        if (this.host.pauseWanted()) return { kind: 'paused', goroutine: body.threadId ?? 0 };
        if (!allocation || (body.threadId ?? 0) !== goroutine) {
          // Delve kept the step (or the unwinding stepOut) in progress: continue finishes it.
          await this.host.send('continue', { threadId: body.threadId ?? 0 });
          continue;
        }
        phase = await this.resumeFrom(goroutine, depth, command);
        if (phase === 'done') {
          return { kind: 'stopped', event: { ...event, body: { reason: 'step', threadId: goroutine, allThreadsStopped: true } } };
        }
        continue;
      }

      if (phase === 'unwinding' && body.reason === 'step' && (body.threadId ?? 0) === goroutine) {
        phase = await this.resumeFrom(goroutine, depth, command);
        if (phase === 'done') return { kind: 'stopped', event };
        continue;
      }
      // The step (first or re-issued) finished, or something the user must see stopped it.
      return { kind: 'stopped', event };
    }
  }

  /** After the goroutine stopped inside the step: unwind to the starting frame, then step again. */
  private async resumeFrom(goroutine: number, depth: number, command: StepCommand): Promise<Phase> {
    const now = await this.host.depth(goroutine);
    if (now > depth) {
      await this.host.send('stepOut', { threadId: goroutine });
      return 'unwinding';
    }
    if (now < depth) return 'done';
    await this.host.send(command, { threadId: goroutine });
    return 'stepping';
  }
}

type Phase = 'stepping' | 'unwinding' | 'done';
