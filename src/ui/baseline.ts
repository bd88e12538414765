/**
 * The baseline the editor compares with ("Compare with Baseline…"): a report and its name. Every
 * source of the same scope, other than the baseline's own, is compared with it; comparisons are
 * computed once per report (a live session's every update is a new report).
 */
import * as vscode from 'vscode';
import { compareReports, ReportComparison } from '../core/compare';
import type { MallocReport } from '../core/report';

export interface BaselineChoice {
  label: string;
  report: MallocReport;
  /** The store's source it was taken from, if any (its own row is not compared with itself). */
  sourceId?: string;
}

export const HAS_BASELINE = 'malloclens.hasBaseline';

export class Baseline implements vscode.Disposable {
  private choice?: BaselineChoice;
  private comparisons = new WeakMap<MallocReport, ReportComparison>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;

  get current(): BaselineChoice | undefined {
    return this.choice;
  }

  set(choice: BaselineChoice | undefined): void {
    this.choice = choice;
    this.comparisons = new WeakMap();
    void vscode.commands.executeCommand('setContext', HAS_BASELINE, choice !== undefined);
    this.changed.fire();
  }

  /** A source's comparison with the baseline: not for the baseline itself, nor across scopes. */
  compare(source: { id: string; report: MallocReport }): ReportComparison | undefined {
    const b = this.choice;
    if (!b || source.id === b.sourceId || source.report === b.report || source.report.scope !== b.report.scope) return undefined;
    let c = this.comparisons.get(source.report);
    if (!c) {
      c = compareReports(source.report, b.report, b.label);
      this.comparisons.set(source.report, c);
    }
    return c;
  }

  dispose(): void {
    this.changed.dispose();
  }
}
