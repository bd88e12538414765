/**
 * "malloclens: Install Delve": the pinned Delve, installed when the user says so (the CLI installs
 * on its own; an editor should ask). A count the language server runs asks there; a count the
 * extension runs itself (the optimized-build baseline) asks here.
 */
import * as vscode from 'vscode';
import { PINNED_DELVE } from '../core/versions';
import { DelveNotFoundError, installPinnedDelve } from '../dap/delveLocator';
import { ToolMissingError } from '../dap/processes';

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

const INSTALL = 'Install Delve';

/** Says why a count the extension ran failed, offering the fix where there is one; true when Delve was installed. */
export async function explainCountFailure(e: unknown, env: NodeJS.ProcessEnv): Promise<boolean> {
  if (e instanceof DelveNotFoundError) {
    const choice = await vscode.window.showErrorMessage(`malloclens: ${e.message}`, INSTALL, 'Set Delve Path');
    if (choice === INSTALL) return installDelve(env);
    if (choice === 'Set Delve Path') await vscode.commands.executeCommand('workbench.action.openSettings', 'malloclens.dlvPath');
    return false;
  }
  if (isGoMissing(e)) {
    void vscode.window.showErrorMessage('malloclens: Go is not installed or not on PATH (https://go.dev/dl/); a count builds the program with it.');
    return false;
  }
  void vscode.window.showErrorMessage(`malloclens: ${e instanceof Error ? e.message : String(e)}`);
  return false;
}
