/**
 * The status bar item: whether the active Go debug session is being counted and its total so far;
 * with no session, the newest count. Clicking opens the allocation tree (or, for an uncounted Go
 * session, offers to debug through malloclens).
 */
import * as vscode from 'vscode';
import { describeAccounting, formatScopedAmount, formatSourceAmount } from '../core/amountText';
import { Throttle } from '../core/throttle';
import { VIEW_ID } from './allocationTreeView';
import { DEBUG_TYPE } from './debugConfiguration';
import type { TallyStore } from './tallyStore';

const REDRAW_INTERVAL_MS = 250;

export class CountStatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('malloclens.status', vscode.StatusBarAlignment.Left, 10);
  private readonly throttle = new Throttle(() => this.redraw(), REDRAW_INTERVAL_MS);
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly store: TallyStore) {
    this.item.name = 'malloclens';
    this.disposables = [
      store.onDidChange(() => this.throttle.request()),
      vscode.debug.onDidChangeActiveDebugSession(() => this.redraw()),
    ];
    this.redraw();
  }

  private redraw(): void {
    const session = vscode.debug.activeDebugSession;
    const counted = session ? this.store.get(session.id) : undefined;
    const focusTree = { command: `${VIEW_ID}.focus`, title: 'Show Allocations' };
    if (counted) {
      const accounted = counted.live ? undefined : describeAccounting(counted.report.check);
      this.show(`$(pulse) ${formatScopedAmount(counted.report.total, counted.report.scope)}`, `malloclens is counting heap allocations in "${counted.label}"${counted.live ? '' : ' (ended)'}.${accounted ? ` ${accounted}` : ''} Click to show them.`, focusTree);
    } else if (session && (session.type === 'go' || session.type === DEBUG_TYPE)) {
      this.show('$(circle-slash) malloclens off', `"${session.name}" runs plain Delve: its allocations are not counted. Click to debug a configuration with malloclens.`, { command: 'malloclens.debugGoConfiguration', title: 'Debug with malloclens' });
    } else {
      const newest = this.store.list()[0];
      const accounted = newest && !newest.live ? describeAccounting(newest.report.check) : undefined;
      if (newest) this.show(`$(pulse) ${formatSourceAmount(newest.report.total, newest.report)}`, `malloclens: ${newest.label}.${accounted ? ` ${accounted}` : ''} Click to show the allocation tree.`, focusTree);
      else this.item.hide();
    }
  }

  private show(text: string, tooltip: string, command: vscode.Command): void {
    this.item.text = text;
    this.item.tooltip = tooltip;
    this.item.command = command;
    this.item.show();
  }

  dispose(): void {
    this.throttle.dispose();
    for (const d of this.disposables) d.dispose();
    this.item.dispose();
  }
}
