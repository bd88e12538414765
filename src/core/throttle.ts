/**
 * Runs a function at most once per interval, and always once more after the last request, so
 * that live counts keep up without redrawing on every event and the final state is never missed.
 */
export class Throttle {
  private timer?: NodeJS.Timeout;
  private last = 0;
  private pending = false;

  constructor(private readonly run: () => void, private readonly intervalMs: number, private readonly now: () => number = Date.now) {}

  request(): void {
    this.pending = true;
    if (this.timer) return;
    const wait = Math.max(0, this.last + this.intervalMs - this.now());
    this.timer = setTimeout(() => this.fire(), wait);
  }

  /** Runs now if anything is pending (e.g. when a session ends). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending) this.fire();
  }

  private fire(): void {
    this.timer = undefined;
    if (!this.pending) return;
    this.pending = false;
    this.last = this.now();
    this.run();
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = false;
  }
}
