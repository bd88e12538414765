/**
 * Go and Delve missing: one-line messages from the engine, turned into a clear notification. Delve
 * is installed only when the user says so (the CLI installs on its own; an editor should ask).
 */
import * as vscode from 'vscode';
import { PINNED_DELVE } from '../core/versions';
import { DelveNotFoundError, installPinnedDelve } from '../dap/delveLocator';
import { BuildError } from '../dap/goToolchain';
import { ToolMissingError } from '../dap/processes';

const INSTALL = 'Install Delve';

/** `go` itself could not be started. */
function isGoMissing(e: unknown): boolean {
  return e instanceof ToolMissingError;
}

/** Runs `go install` of the pinned Delve into malloclens's cache, with a progress notification. */
export async function installDelve(env: NodeJS.ProcessEnv): Promise<boolean> {
  try {
    const dlv = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `malloclens: installing Delve ${PINNED_DELVE.version}` },
      (progress) => installPinnedDelve(env, (message) => progress.report({ message: message.replace(/^malloclens: /, '') })),
    );
    void vscode.window.showInformationMessage(`malloclens: Delve ${PINNED_DELVE.version} installed at ${dlv}.`);
    return true;
  } catch (e) {
    void vscode.window.showErrorMessage(`malloclens: ${isGoMissing(e) ? 'Go is not installed or not on PATH; Delve is installed with it.' : (e as Error).message}`);
    return false;
  }
}

/**
 * Tells the user what went wrong in words they can act on. Resolves true when they chose to
 * install Delve and it worked (the caller may then try again).
 */
export async function explainCountFailure(e: unknown, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (e instanceof DelveNotFoundError) {
    const choice = await vscode.window.showErrorMessage(`malloclens: ${e.message}`, INSTALL, 'Set Delve Path');
    if (choice === INSTALL) return installDelve(env);
    if (choice === 'Set Delve Path') await vscode.commands.executeCommand('workbench.action.openSettings', 'malloclens.dlvPath');
    return false;
  }
  if (isGoMissing(e)) {
    void vscode.window.showErrorMessage('malloclens: Go is not installed or not on PATH (https://go.dev/dl/); "count mallocs" builds the program with it.');
    return false;
  }
  if (e instanceof BuildError) {
    void vscode.window.showErrorMessage(`malloclens: ${e.message}`);
    return false;
  }
  void vscode.window.showErrorMessage(`malloclens: ${e instanceof Error ? e.message : String(e)}`);
  return false;
}
