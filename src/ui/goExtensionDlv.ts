/**
 * Counting inside the Go extension's own debug sessions: the Go extension starts whatever
 * `go.alternateTools.dlv` names as `dlv dap …`, and `malloclens dap` is a drop-in for it. This
 * writes a small `dlv` launcher for this extension's CLI and points the setting at it (after
 * asking), or takes it back.
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

const CONTEXT_KEY = 'malloclens.goUsesMalloclens';

/** The launcher: runs dist/cli.js with the extension host's own Node (Electron as Node on desktop). */
function launcherText(extensionPath: string): string {
  const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
  return [
    '#!/bin/sh',
    '# Written by the malloclens extension: lets the Go extension debug through malloclens (`malloclens dap`).',
    `ELECTRON_RUN_AS_NODE=1 exec ${quote(process.execPath)} ${quote(path.join(extensionPath, 'dist', 'cli.js'))} "$@"`,
    '',
  ].join('\n');
}

export class GoExtensionDlv {
  private readonly launcher: string;

  constructor(private readonly context: vscode.ExtensionContext) {
    this.launcher = path.join(context.globalStorageUri.fsPath, 'bin', 'dlv');
  }

  register(): vscode.Disposable[] {
    // An updated extension lives in a new directory: keep a launcher the settings point at current.
    if (this.inUse()) this.writeLauncher();
    void this.updateContext();
    return [
      vscode.commands.registerCommand('malloclens.useInGoSessions', () => this.use()),
      vscode.commands.registerCommand('malloclens.stopUsingInGoSessions', () => this.stopUsing()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('go.alternateTools')) void this.updateContext();
      }),
    ];
  }

  private configuredDlv(): string | undefined {
    const tools = vscode.workspace.getConfiguration('go').get<Record<string, string>>('alternateTools', {});
    return tools?.dlv;
  }

  private inUse(): boolean {
    return this.configuredDlv() === this.launcher;
  }

  private updateContext(): Thenable<unknown> {
    return vscode.commands.executeCommand('setContext', CONTEXT_KEY, this.inUse());
  }

  private writeLauncher(): void {
    mkdirSync(path.dirname(this.launcher), { recursive: true });
    writeFileSync(this.launcher, launcherText(this.context.extensionPath));
    chmodSync(this.launcher, 0o755);
  }

  private async use(): Promise<void> {
    const workspace = 'This Workspace';
    const user = 'All Workspaces';
    const choice = await vscode.window.showInformationMessage(
      'Count allocations in the Go extension\'s debug sessions? malloclens sets go.alternateTools.dlv to a launcher for "malloclens dap", which runs Delve and counts behind it.',
      { modal: true },
      workspace,
      user,
    );
    if (!choice) return;
    this.writeLauncher();
    const target = choice === workspace && vscode.workspace.workspaceFolders ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    try {
      await this.setDlv(this.launcher, target);
    } catch (e) {
      // Writing go.* fails when the Go extension (which declares the setting) is not installed.
      void vscode.window.showErrorMessage(`malloclens: could not set go.alternateTools.dlv (is the Go extension installed?): ${(e as Error).message}`);
      return;
    }
    void vscode.window.showInformationMessage('malloclens: Go debug sessions now count allocations (go.alternateTools.dlv). Start one as usual.');
  }

  private async stopUsing(): Promise<void> {
    const config = vscode.workspace.getConfiguration('go');
    const inspected = config.inspect<Record<string, string>>('alternateTools');
    for (const [target, value] of [
      [vscode.ConfigurationTarget.Workspace, inspected?.workspaceValue],
      [vscode.ConfigurationTarget.Global, inspected?.globalValue],
    ] as const) {
      if (value?.dlv === this.launcher) await this.setDlv(undefined, target);
    }
  }

  private async setDlv(dlv: string | undefined, target: vscode.ConfigurationTarget): Promise<void> {
    const config = vscode.workspace.getConfiguration('go');
    const inspected = config.inspect<Record<string, string>>('alternateTools');
    const current = (target === vscode.ConfigurationTarget.Global ? inspected?.globalValue : inspected?.workspaceValue) ?? {};
    const { dlv: _old, ...others } = current;
    const next = dlv ? { ...others, dlv } : others;
    await config.update('alternateTools', Object.keys(next).length > 0 ? next : undefined, target);
    await this.updateContext();
  }
}
