/**
 * Notices a debuggee that died without Delve saying so. Killed from outside while it runs, a
 * program can leave Delve waiting in its continue loop for good (seen with Delve 1.27 on a loaded
 * machine: the process is a zombie, Delve never reaps it, no `exited` ever comes), and the client
 * would wait forever. The watch looks at the process now and then; once it has been dead for a
 * grace period with no end reported, it says so.
 */
import { ProcessState, processState } from './processState';

export class DebuggeeWatch {
  private timer?: NodeJS.Timeout;
  private deadSince?: number;
  private reported = false;

  /** `onUnreportedDeath` runs at most once, `graceMs` after the process was first seen dead. */
  constructor(
    private readonly pid: number,
    private readonly onUnreportedDeath: (exitCode: number | undefined) => void,
    private readonly options: { graceMs?: number; intervalMs?: number; state?: (pid: number) => ProcessState; now?: () => number } = {},
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.check(), this.options.intervalMs ?? 500);
    this.timer.unref();
  }

  /** One look; exposed for tests. */
  check(): void {
    if (this.reported) return;
    const state = (this.options.state ?? processState)(this.pid);
    const now = (this.options.now ?? Date.now)();
    if (state.alive) {
      this.deadSince = undefined;
      return;
    }
    this.deadSince ??= now;
    if (now - this.deadSince < (this.options.graceMs ?? 2000)) return;
    this.reported = true;
    this.stop();
    this.onUnreportedDeath(state.exitCode);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
