/**
 * pprof in and out: "Export pprof Profile" writes a finished count's whole stacks as a gzipped
 * profile.proto (`go tool pprof` reads it); "Open pprof Profile" reads a Go heap or allocs profile
 * into the store as a sampled source of its own, shown with "≈" and never added to exact counts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { AllocationTreeNode } from '../core/allocationTree';
import { formatSampleRate } from '../core/amountText';
import { PprofReadError, readPprof } from '../core/pprofIn';
import { encodePprof, PprofExportError } from '../core/pprofOut';
import type { SampledOrigin } from '../core/report';
import { userCodeRoots } from '../dap/goToolchain';
import { profileFileMapper } from '../dap/profileFiles';
import { engineEnv, readSettings } from './settings';
import type { TallyStore } from './tallyStore';

export const EXPORT_PPROF_COMMAND = 'malloclens.exportPprof';
export const OPEN_PPROF_COMMAND = 'malloclens.openPprof';

export class PprofCommands {
  constructor(private readonly store: TallyStore, private readonly log: vscode.LogOutputChannel) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand(EXPORT_PPROF_COMMAND, (node?: AllocationTreeNode, target?: vscode.Uri) => this.exportProfile(node, target)),
      vscode.commands.registerCommand(OPEN_PPROF_COMMAND, (file?: vscode.Uri, kind?: SampledOrigin['kind']) => this.openProfile(file, kind)),
    ];
  }

  /** The source of the clicked row, else the newest count that has its stacks (a finished one). */
  private async exportProfile(node?: AllocationTreeNode, target?: vscode.Uri): Promise<void> {
    const source = node?.sourceId ? this.store.get(node.sourceId) : this.store.list().find((s) => s.report.stacks && !s.report.sampled);
    if (!source) {
      void vscode.window.showInformationMessage(node ? 'malloclens: that count is gone.' : 'malloclens: no finished count to export yet (a run exports once the program has ended).');
      return;
    }
    let bytes: Buffer;
    try {
      bytes = encodePprof(source.report);
    } catch (e) {
      if (!(e instanceof PprofExportError)) throw e;
      void vscode.window.showWarningMessage(`malloclens: cannot export ${source.label} as pprof: ${e.message}.`);
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const name = `malloclens-${source.label.replace(/[^\w.-]+/g, '-').replace(/^-+|-+$/g, '')}.pb.gz`;
    const uri = target ?? await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, name) : undefined,
      filters: { 'pprof profile': ['gz', 'pb'] },
      title: `Export ${source.label} as a pprof profile`,
    });
    if (!uri) return;
    await writeFile(uri.fsPath, bytes);
    const shown = vscode.workspace.asRelativePath(uri);
    this.log.info(`exported ${source.label} to ${uri.fsPath} (${source.report.stacks?.samples.length ?? 0} stacks)`);
    void vscode.window.showInformationMessage(`malloclens: exported ${source.label} to ${shown} — go tool pprof -top ${shown}`);
  }

  private async openProfile(file?: vscode.Uri, kind: SampledOrigin['kind'] = 'alloc'): Promise<void> {
    const uri = file ?? (await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: vscode.workspace.workspaceFolders?.[0]?.uri,
      filters: { 'pprof profile': ['gz', 'pb', 'pprof', 'prof', 'out'], 'All files': ['*'] },
      title: 'Open a Go heap or allocs profile',
    }))?.[0];
    if (!uri) return;
    const folder = vscode.workspace.getWorkspaceFolder(uri) ?? vscode.workspace.workspaceFolders?.[0];
    let report;
    try {
      const roots = await userCodeRoots(folder?.uri.fsPath ?? path.dirname(uri.fsPath), engineEnv(readSettings(folder)));
      report = readPprof(await readFile(uri.fsPath), { file: uri.fsPath, roots, kind, mapFile: profileFileMapper(roots.include) });
    } catch (e) {
      if (!(e instanceof PprofReadError) && (e as NodeJS.ErrnoException).code === undefined) throw e;
      void vscode.window.showErrorMessage(`malloclens: cannot open ${path.basename(uri.fsPath)}: ${(e as Error).message}`);
      return;
    }
    const id = `profile:${uri.fsPath}:${kind}`;
    this.store.remove(id);
    this.store.add({ id, label: `${path.basename(uri.fsPath)} (pprof)`, kind: 'profile', report, live: false });
    for (const w of report.warnings) this.log.warn(`${uri.fsPath}: ${w}`);
    void vscode.window.showInformationMessage(`malloclens: ${path.basename(uri.fsPath)}: sampled, ${formatSampleRate(report.sampled!)} — figures marked ≈ are the runtime's estimates.`);
  }
}
