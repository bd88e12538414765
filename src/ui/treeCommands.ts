/** The allocation view's actions: copy, clear, export JSON (the CLI's `--json` shape), sort. */
import { writeFile } from 'node:fs/promises';
import * as vscode from 'vscode';
import { AllocationTreeNode, nodeAsText } from '../core/allocationTree';
import type { AllocationTreeProvider } from './allocationTreeView';
import type { TallyStore } from './tallyStore';

export class TreeCommands {
  constructor(private readonly store: TallyStore, private readonly tree: AllocationTreeProvider) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand('malloclens.copy', (node?: AllocationTreeNode) => this.copy(node)),
      vscode.commands.registerCommand('malloclens.remove', (node?: AllocationTreeNode) => node && this.store.remove(node.sourceId)),
      vscode.commands.registerCommand('malloclens.clear', () => this.store.clear()),
      vscode.commands.registerCommand('malloclens.exportJson', (node?: AllocationTreeNode) => this.exportJson(node)),
      vscode.commands.registerCommand('malloclens.sortByCount', () => this.tree.setSort('count')),
      vscode.commands.registerCommand('malloclens.sortByBytes', () => this.tree.setSort('bytes')),
    ];
  }

  private async copy(node?: AllocationTreeNode): Promise<void> {
    const target = node ?? this.tree.newest();
    if (target) await vscode.env.clipboard.writeText(nodeAsText(target));
  }

  /** Exports a source's report exactly as `malloclens count --json` prints it. */
  private async exportJson(node?: AllocationTreeNode): Promise<void> {
    const source = this.store.get((node ?? this.tree.newest())?.sourceId ?? '');
    if (!source) {
      void vscode.window.showInformationMessage('malloclens: nothing counted yet to export.');
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `malloclens-${source.label.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '')}.json`;
    const uri = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { JSON: ['json'] },
      title: `Export ${source.label}`,
    });
    if (!uri) return;
    // The stacks are for pprof (Export pprof Profile); the JSON is the CLI's shape.
    const { stacks: _stacks, ...report } = source.report;
    await writeFile(uri.fsPath, `${JSON.stringify(report, null, 2)}\n`);
    void vscode.window.showInformationMessage(`malloclens: exported ${source.label} to ${vscode.workspace.asRelativePath(uri)}.`);
  }
}
