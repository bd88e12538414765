/**
 * Every count the editor knows: debug sessions (live while they run) and the counts the language
 * server ran ("count mallocs"). Decorations, the tree and the status bar read from here and redraw
 * on its change event; serverTallies.ts keeps the server's copy (hovers, lenses) the same.
 */
import * as vscode from 'vscode';
import type { CountSource } from '../core/inlineCounts';
import type { MallocReport } from '../core/report';
import type { Engine } from '../core/sourceState';

export interface TallySource extends CountSource {
  live: boolean;
  engine?: Engine;
  /** For statement counts: the statement, so that its lens can show the result. */
  statement?: { file: string; line: number; endLine: number };
  /** Restored from an earlier window (kept in workspace storage), not counted in this one. */
  earlier?: boolean;
  /** Read from this report file (Import Report), not counted here. */
  imported?: string;
  /** What was run, when known: "the optimized build of the same program" runs it again. */
  program?: ProgramTarget;
}

export interface ProgramTarget {
  /** A package directory or .go file. */
  target: string;
  cwd: string;
  args: string[];
  test: boolean;
}

export function emptyReport(): MallocReport {
  return {
    go: '', delve: '', buildFlags: '', scope: 'run', lines: [],
    unattributed: { count: 0, bytes: 0, buckets: [] }, total: { count: 0, bytes: 0 }, warnings: [],
  };
}

export class TallyStore implements vscode.Disposable {
  private readonly sources = new Map<string, TallySource>();
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired on every change; listeners that redraw throttle themselves. */
  readonly onDidChange = this.changed.event;
  private clock = 0;

  /** Starts strictly increase, so that "newest" is never a tie (two sources in one millisecond). */
  private now(): number {
    this.clock = Math.max(this.clock + 1, Date.now());
    return this.clock;
  }

  add(source: Omit<TallySource, 'started'>): TallySource {
    const entry: TallySource = { ...source, started: this.now() };
    this.sources.set(entry.id, entry);
    this.changed.fire();
    return entry;
  }

  /** A source from an earlier window or a file, with its own start time (it orders sources). */
  restore(source: TallySource): void {
    this.clock = Math.max(this.clock, source.started);
    this.sources.set(source.id, { ...source, live: false });
    this.changed.fire();
  }

  /** A new report for a source; unknown sources (a Go extension session) are added as debug sessions. */
  update(id: string, report: MallocReport, label: string, live = true, engine?: Engine): void {
    const entry = this.sources.get(id);
    if (entry) {
      entry.report = report;
      entry.live = live;
      this.changed.fire();
    } else {
      this.add({ id, label, kind: 'debug', report, live, engine });
    }
  }

  setLive(id: string, live: boolean): void {
    const entry = this.sources.get(id);
    if (!entry || entry.live === live) return;
    entry.live = live;
    this.changed.fire();
  }

  get(id: string): TallySource | undefined {
    return this.sources.get(id);
  }

  has(id: string): boolean {
    return this.sources.has(id);
  }

  /** Newest first. */
  list(): TallySource[] {
    return [...this.sources.values()].sort((a, b) => b.started - a.started);
  }

  remove(id: string): void {
    if (this.sources.delete(id)) this.changed.fire();
  }

  clear(): void {
    if (this.sources.size === 0) return;
    this.sources.clear();
    this.changed.fire();
  }

  dispose(): void {
    this.changed.dispose();
  }
}
