/**
 * Fresh counts while the program runs: every so often, when the session says the program is
 * running on its own, a hidden pause lets the profile be read. Never more often than the interval,
 * and never two at once.
 */
export class LivePauses {
  private timer?: NodeJS.Timeout;
  private busy = false;
  private last = 0;

  /**
   * `intervalMs`: the least time between two readings (0 or less: never while running).
   * `mayPause`: the program is running and nobody else owns it. `readWhilePaused`: pause, read, go on.
   */
  constructor(
    private readonly intervalMs: number,
    private readonly mayPause: () => boolean,
    private readonly readWhilePaused: () => Promise<void>,
  ) {}

  start(): void {
    const interval = this.intervalMs;
    if (interval <= 0 || this.timer) return;
    this.last = Date.now();
    this.timer = setInterval(() => void this.tick(), Math.max(50, Math.floor(interval / 4)));
    this.timer.unref?.();
  }

  /** A reading happened anyway (at a stop): the next live one waits a full interval. */
  noteReading(): void {
    this.last = Date.now();
  }

  private async tick(): Promise<void> {
    if (this.busy || Date.now() - this.last < this.intervalMs || !this.mayPause()) return;
    this.busy = true;
    try {
      await this.readWhilePaused();
    } finally {
      this.last = Date.now();
      this.busy = false;
    }
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}
