/**
 * "malloclens: Install Delve": the pinned Delve, installed when the user says so (the CLI installs
 * on its own; an editor should ask). A count that finds no Delve asks in the language server.
 */
import * as vscode from 'vscode';
import { PINNED_DELVE } from '../core/versions';
import { installPinnedDelve } from '../dap/delveLocator';
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
