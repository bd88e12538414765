/**
 * Every count the server knows: the statement counts and runs it ran, and what the client pushed
 * (its debug sessions). Lenses, hovers and inlay hints read from here; a change asks the client to
 * refresh them.
 */
import type { SourceMessage } from './protocol';

export class CountSources {
  private readonly sources = new Map<string, SourceMessage>();
  private readonly listeners: (() => void)[] = [];
  private clock = 0;

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Starts strictly increase, so that "newest" is never a tie. */
  private now(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  /** A count the server finished: newer than anything before it. */
  add(source: Omit<SourceMessage, 'started'>): SourceMessage {
    const entry = { ...source, started: this.now() };
    this.sources.set(entry.id, entry);
    this.changed();
    return entry;
  }

  /** Counts from the client, with their own start times. */
  set(sources: SourceMessage[], remove: string[] = []): void {
    for (const id of remove) this.sources.delete(id);
    for (const s of sources) {
      this.clock = Math.max(this.clock, s.started);
      this.sources.set(s.id, s);
    }
    this.changed();
  }

  get(id: string): SourceMessage | undefined {
    return this.sources.get(id);
  }

  /** Newest first. */
  list(): SourceMessage[] {
    return [...this.sources.values()].sort((a, b) => b.started - a.started);
  }
}
