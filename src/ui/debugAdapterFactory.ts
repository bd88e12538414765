/** Creates the inline malloclens adapter for each `"type": "malloclens"` session. */
import * as vscode from 'vscode';
import { dlvCommandFlags } from '../core/launchConfig';
import { responseErrorId, START_ERROR } from '../dap/startErrors';
import { DEBUG_TYPE, DLV_CWD_KEY } from './debugConfiguration';
import { installDelve } from './delveSetup';
import { InlineDebugAdapter } from './inlineAdapter';
import { engineEnv, readSettings } from './settings';

export class MalloclensAdapterFactory implements vscode.DebugAdapterDescriptorFactory {
  constructor(private readonly log: vscode.LogOutputChannel) {}

  createDebugAdapterDescriptor(session: vscode.DebugSession): vscode.ProviderResult<vscode.DebugAdapterDescriptor> {
    const scope = session.workspaceFolder?.uri;
    const settings = readSettings(scope);
    const dlvCwd = session.configuration[DLV_CWD_KEY];
    const adapter = new InlineDebugAdapter().start({
      env: engineEnv(settings, scope),
      cwd: typeof dlvCwd === 'string' ? dlvCwd : session.workspaceFolder?.uri.fsPath,
      dlvPath: settings.dlvPath,
      dlvFlags: dlvCommandFlags(session.configuration),
      // An editor asks before installing anything: see DelveOffer.
      installDelve: false,
      log: (line) => this.log.trace(`[${session.name}] ${line}`),
      output: 'events',
    });
    return new vscode.DebugAdapterInlineImplementation(adapter);
  }
}

/** When a session could not start for want of Delve, offers to install it (never silently). */
export function delveOffer(): vscode.Disposable {
  return vscode.debug.registerDebugAdapterTrackerFactory(DEBUG_TYPE, {
    createDebugAdapterTracker: (session) => ({
      onDidSendMessage: (m: { type?: string; command?: string; success?: boolean; message?: string; body?: unknown }) => {
        if (m.type !== 'response' || m.command !== 'initialize' || m.success !== false || responseErrorId(m) !== START_ERROR.noSuitableDelve) return;
        void vscode.window.showErrorMessage(`malloclens: ${m.message}`, 'Install Delve').then(async (choice) => {
          if (choice && (await installDelve(engineEnv(readSettings(session.workspaceFolder?.uri), session.workspaceFolder?.uri)))) {
            void vscode.window.showInformationMessage('malloclens: Delve is installed; start the session again.');
          }
        });
      },
    }),
  });
}
