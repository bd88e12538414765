/**
 * Counting inside the Go extension's own debug sessions: the Go extension starts whatever
 * `go.alternateTools.dlv` names as `dlv dap …`, and `malloclens dap` is a drop-in for it. This
 * builds a small compiled `dlv` launcher for this extension's CLI (dap/dlvLauncher.ts) and points
 * the setting at it (after asking), or takes it back.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { cacheDir } from '../dap/delveLocator';
import { buildDlvLauncher, installLauncher, launcherFileName } from '../dap/dlvLauncher';
import { goToolsEnv } from './settings';

const CONTEXT_KEY = 'malloclens.goUsesMalloclens';

/**
 * The `go` the Go extension builds its tools with, and compares their build info against:
 * `go.toolsManagement.go`, else its `go` (`go.alternateTools.go`), else `go` from PATH.
 */
function toolsGo(): string {
  const config = vscode.workspace.getConfiguration('go');
  return config.get<string>('toolsManagement.go') || config.get<Record<string, string>>('alternateTools', {})?.go || 'go';
}

export class GoExtensionDlv {
  private readonly launcher: string;

  constructor(private readonly context: vscode.ExtensionContext) {
    // One path for the settings to name, whatever Go and extension version built what is there.
    this.launcher = path.join(context.globalStorageUri.fsPath, 'bin', launcherFileName());
  }

  register(): vscode.Disposable[] {
    // An updated extension lives in a new directory, and Go may have changed since: keep the
    // launcher the settings point at current (built again only when either changed).
    if (this.inUse()) {
      this.writeLauncher().catch((e: Error) => {
        void vscode.window.showErrorMessage(`malloclens: cannot update the dlv launcher for Go debug sessions: ${e.message}`);
      });
    }
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

  /** Builds the launcher (or reuses the build for this Go and extension) and installs it. */
  private async writeLauncher(): Promise<void> {
    const env = { ...process.env, ...goToolsEnv() };
    const built = await buildDlvLauncher({
      // The extension host's own Node: Electron on desktop, which the launcher runs as Node.
      target: { node: process.execPath, cli: path.join(this.context.extensionPath, 'dist', 'cli.js') },
      cache: cacheDir(env),
      env,
      goCommand: toolsGo(),
    });
    installLauncher(built.path, this.launcher);
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
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'malloclens: building the dlv launcher with your Go toolchain…' },
        () => this.writeLauncher(),
      );
    } catch (e) {
      void vscode.window.showErrorMessage(`malloclens: cannot build the dlv launcher: ${(e as Error).message}`);
      return;
    }
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
