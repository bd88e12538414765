/**
 * Which files changed since a source counted them (core/staleness.ts), read from the files'
 * modification times; asked again whenever a document is saved.
 */
import { statSync } from 'node:fs';
import * as vscode from 'vscode';
import { changedSince } from '../core/staleness';
import type { TallySource } from './tallyStore';

export class StaleFiles implements vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fired when a file is saved: counts of it may have become stale. */
  readonly onDidChange = this.changed.event;
  private readonly subscription = vscode.workspace.onDidSaveTextDocument(() => this.changed.fire());

  /** Files of the source's report modified after the source started. Live sources are not stale yet, and an imported report's time is not known. */
  of(source: TallySource): string[] {
    if (source.live || source.imported) return [];
    return changedSince(source.report.lines.map((l) => l.file), source.started, modifiedAt);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}

function modifiedAt(file: string): number | undefined {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return undefined;
  }
}
