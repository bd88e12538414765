/**
 * The "Allocations" view (its own activity-bar container): source → file → line → part, built by
 * core/allocationTree.ts from the store, sortable by count or bytes; clicking reveals the line.
 */
import { readFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { AllocationTreeNode, buildAllocationTree, SortKey } from '../core/allocationTree';
import { Throttle } from '../core/throttle';
import type { InlineMarkSources } from './inlineDecorations';
import type { TallySource, TallyStore } from './tallyStore';

export const VIEW_ID = 'malloclens.allocations';
export const REVEAL_COMMAND = 'malloclens.revealLine';
const SORT_STATE = 'malloclens.sortBy';
const REDRAW_INTERVAL_MS = 300;

const ICONS: Record<AllocationTreeNode['type'], string | undefined> = {
  source: undefined,
  file: undefined,
  line: 'symbol-number',
  part: 'symbol-field',
  outside: 'library',
  bucket: 'symbol-namespace',
  callers: 'call-incoming',
  caller: 'symbol-method',
};

export class AllocationTreeProvider implements vscode.TreeDataProvider<AllocationTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  private roots: AllocationTreeNode[] = [];
  private sortKey: SortKey;
  private readonly throttle = new Throttle(() => this.rebuild(), REDRAW_INTERVAL_MS);
  private readonly subscription: vscode.Disposable;

  constructor(private readonly store: TallyStore, private readonly state: vscode.Memento, private readonly marks?: InlineMarkSources) {
    this.sortKey = state.get<SortKey>(SORT_STATE, 'count');
    void vscode.commands.executeCommand('setContext', SORT_STATE, this.sortKey);
    this.subscription = vscode.Disposable.from(
      store.onDidChange(() => this.throttle.request()),
      ...(marks ? [marks.baseline.onDidChange(() => this.throttle.request()), marks.stale.onDidChange(() => this.throttle.request())] : []),
    );
    this.rebuild();
  }

  /** Redraws soon (after the window's start: counts restored while the view was first drawn). */
  redraw(): void {
    this.throttle.request();
  }

  get sortBy(): SortKey {
    return this.sortKey;
  }

  async setSort(key: SortKey): Promise<void> {
    this.sortKey = key;
    await this.state.update(SORT_STATE, key);
    await vscode.commands.executeCommand('setContext', SORT_STATE, key);
    this.rebuild();
  }

  /** The newest source node (for view-title actions that act on "the latest"). */
  newest(): AllocationTreeNode | undefined {
    return this.roots[0];
  }

  private rebuild(): void {
    const sources = this.store.list();
    const lines = new Map<string, string[] | undefined>();
    this.roots = buildAllocationTree(sources, {
      sortBy: this.sortKey,
      roots: (vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.fsPath),
      sourceLine: (file, line) => {
        if (!lines.has(file)) lines.set(file, sourceLines(file));
        return lines.get(file)?.[line - 1]?.trim() || undefined;
      },
      ...(this.marks ? {
        compare: (source) => this.marks!.baseline.compare(source),
        baseline: this.marks.baseline.current && { label: this.marks.baseline.current.label, sourceId: this.marks.baseline.current.sourceId },
        staleFiles: (source) => this.marks!.stale.of(source as TallySource),
      } : {}),
    });
    void vscode.commands.executeCommand('setContext', 'malloclens.hasData', sources.length > 0);
    this.changed.fire();
  }

  getChildren(node?: AllocationTreeNode): AllocationTreeNode[] {
    return node ? node.children : this.roots;
  }

  getTreeItem(node: AllocationTreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(node.label, this.collapsible(node));
    item.id = node.id;
    item.description = node.description;
    item.tooltip = node.tooltip;
    item.contextValue = node.type;
    if (node.type === 'file' && node.tooltip) item.resourceUri = vscode.Uri.file(node.tooltip);
    const icon = node.type === 'source' ? sourceIcon(node) : ICONS[node.type];
    if (icon) item.iconPath = new vscode.ThemeIcon(icon);
    if (node.stale) item.iconPath = new vscode.ThemeIcon('warning');
    if (node.location) {
      item.command = { command: REVEAL_COMMAND, title: 'Reveal Line', arguments: [node.location.file, node.location.line] };
    }
    return item;
  }

  private collapsible(node: AllocationTreeNode): vscode.TreeItemCollapsibleState {
    // A session starts empty and fills while it runs; VS Code keeps the state an id was first shown
    // with, so a source is never "None", or it would stay closed once its lines arrive.
    if (node.children.length === 0 && node.type !== 'source') return vscode.TreeItemCollapsibleState.None;
    // Open down to the lines of the newest source; parts of a line on demand.
    if (node.type === 'line' || node.type === 'outside' || node.type === 'callers') return vscode.TreeItemCollapsibleState.Collapsed;
    return node.sourceId === this.roots[0]?.id ? vscode.TreeItemCollapsibleState.Expanded : vscode.TreeItemCollapsibleState.Collapsed;
  }

  getParent(): undefined {
    return undefined;
  }

  dispose(): void {
    this.throttle.dispose();
    this.subscription.dispose();
    this.changed.dispose();
  }
}

/** A run cut short or a statement never reached must not look like a finished count. */
function sourceIcon(node: AllocationTreeNode): string {
  if (node.state === 'running') return 'loading~spin';
  if (node.state === 'stopped early') return 'debug-stop';
  if (node.state === 'not reached') return 'circle-slash';
  if (node.state === 'sampled') return 'graph';
  return node.id.startsWith('statement:') ? 'pulse' : 'debug-alt';
}

/** Open documents first (they may be unsaved), the file on disk otherwise. */
function sourceLines(file: string): string[] | undefined {
  const open = vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'file' && d.uri.fsPath === file);
  if (open) return open.getText().split(/\r?\n/);
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/);
  } catch {
    return undefined;
  }
}

export async function revealLine(file: string, line: number): Promise<void> {
  const document = await vscode.workspace.openTextDocument(vscode.Uri.file(file));
  const at = new vscode.Position(Math.max(0, line - 1), 0);
  const editor = await vscode.window.showTextDocument(document, { preview: true });
  editor.selection = new vscode.Selection(at, at);
  editor.revealRange(new vscode.Range(at, at), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
}
