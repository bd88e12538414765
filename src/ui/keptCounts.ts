/**
 * Counts that survive a window reload: every finished source of the store, and the baseline, are
 * written to the workspace's storage (files: a big run's report is megabytes, too much for
 * workspaceState) and read back when the extension activates, marked as from an earlier window.
 *
 * Layout: `<storage>/counts/index.json` lists the sources (what TallySource holds besides the
 * report) and names each one's report file beside it. Reports are written when they change,
 * through a temporary file and a rename, so that a window closed mid-write leaves the old file.
 */
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { MallocReport } from '../core/report';
import { parseReport } from '../core/reportFile';
import { Throttle } from '../core/throttle';
import type { Baseline } from './baseline';
import type { TallySource, TallyStore } from './tallyStore';

const INDEX = 'index.json';
const FORMAT = 1;
/** The newest sources kept; older ones are dropped from storage (not from the window). */
const MAX_KEPT = 20;
const SAVE_INTERVAL_MS = 1000;

type KeptSource = Omit<TallySource, 'report' | 'live'> & { file: string };

interface KeptIndex {
  format: number;
  sources: KeptSource[];
  baseline?: { label: string; sourceId?: string; file: string };
}

export class KeptCounts implements vscode.Disposable {
  private readonly dir: string;
  /** The report each file holds now: unchanged reports are not written again. */
  private readonly written = new Map<string, MallocReport>();
  private readonly throttle = new Throttle(() => void this.save(), SAVE_INTERVAL_MS);
  private readonly subscriptions: vscode.Disposable[];
  private saving = Promise.resolve();
  private restored = false;

  constructor(storage: vscode.Uri, private readonly store: TallyStore, private readonly baseline: Baseline, private readonly log: vscode.LogOutputChannel) {
    this.dir = path.join(storage.fsPath, 'counts');
    this.subscriptions = [store.onDidChange(() => this.request()), baseline.onDidChange(() => this.request())];
  }

  private request(): void {
    if (this.restored) this.throttle.request();
  }

  /** Reads the kept counts into the store; a file that is unreadable or not a report is skipped and logged. */
  async restore(): Promise<void> {
    try {
      let index: KeptIndex | undefined;
      try {
        index = JSON.parse(await readFile(path.join(this.dir, INDEX), 'utf8')) as KeptIndex;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') this.log.warn(`kept counts: cannot read ${INDEX}: ${(e as Error).message}`);
        return;
      }
      if (index.format !== FORMAT || !Array.isArray(index.sources)) {
        this.log.warn(`kept counts: ${INDEX} has an unknown format; nothing restored`);
        return;
      }
      // The baseline first: the tree and the inline counts then draw the restored sources with
      // their differences from the start, not once without them and again a moment later.
      if (index.baseline) {
        const report = await this.read(index.baseline.file);
        if (report) {
          this.baseline.set({ label: index.baseline.label, sourceId: index.baseline.sourceId, report });
          this.written.set(index.baseline.file, report);
        }
      }
      for (const kept of index.sources) {
        const report = await this.read(kept.file);
        if (!report || this.store.has(kept.id)) continue;
        const { file, ...facts } = kept;
        this.store.restore({ ...facts, report, live: false, earlier: true });
        this.written.set(file, report);
      }
      this.log.info(`kept counts: restored ${this.store.list().filter((s) => s.earlier).length} from ${this.dir}`);
    } finally {
      this.restored = true;
    }
  }

  private async read(file: string): Promise<MallocReport | undefined> {
    try {
      return parseReport(await readFile(path.join(this.dir, file), 'utf8'), file);
    } catch (e) {
      this.log.warn(`kept counts: ${(e as Error).message}; skipped`);
      return undefined;
    }
  }

  private save(): Promise<void> {
    this.saving = this.saving.then(() => this.write()).catch((e: Error) => this.log.warn(`kept counts: cannot write to ${this.dir}: ${e.message}`));
    return this.saving;
  }

  /** Writes what is still to write now (also when the window closes). */
  flush(): Promise<void> {
    this.throttle.dispose();
    return this.save();
  }

  private async write(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const sources = this.store.list().filter((s) => !s.live).slice(0, MAX_KEPT);
    const index: KeptIndex = { format: FORMAT, sources: [] };
    const keep = new Set<string>([INDEX]);
    for (const s of sources) {
      const { report, live: _live, ...facts } = s;
      const file = `${fileName(s.id)}.json`;
      index.sources.push({ ...facts, file });
      keep.add(file);
      await this.writeReport(file, report);
    }
    const b = this.baseline.current;
    if (b) {
      index.baseline = { label: b.label, sourceId: b.sourceId, file: 'baseline.json' };
      keep.add('baseline.json');
      await this.writeReport('baseline.json', b.report);
    }
    await atomicWrite(path.join(this.dir, INDEX), JSON.stringify(index));
    for (const f of await readdir(this.dir)) {
      if (!keep.has(f)) {
        await rm(path.join(this.dir, f), { force: true });
        this.written.delete(f);
      }
    }
  }

  private async writeReport(file: string, report: MallocReport): Promise<void> {
    if (this.written.get(file) === report) return;
    await atomicWrite(path.join(this.dir, file), JSON.stringify(report));
    this.written.set(file, report);
  }

  dispose(): void {
    this.throttle.dispose();
    for (const s of this.subscriptions) s.dispose();
  }
}

/** A file name for a source id (a session's UUID, `statement:/path/main.go:12`, `imported:…`). */
function fileName(id: string): string {
  let hash = 2166136261;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 16777619) >>> 0;
  return `source-${id.replace(/[^\w-]+/g, '_').slice(-40)}-${hash.toString(16)}`;
}

async function atomicWrite(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}
