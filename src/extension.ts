/** VS Code entry point: wires the editor front end (src/ui) together. No logic of its own. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { AllocationTreeProvider, REVEAL_COMMAND, revealLine, VIEW_ID } from './ui/allocationTreeView';
import { delveOffer, MalloclensAdapterFactory } from './ui/debugAdapterFactory';
import { DEBUG_TYPE, MalloclensConfigurationProvider } from './ui/debugConfiguration';
import { DebugTallies } from './ui/debugTallies';
import { GoExtensionDlv } from './ui/goExtensionDlv';
import { debugActivePackage, debugGoConfiguration } from './ui/goLaunchConfigurations';
import { installDelve } from './ui/delveSetup';
import { InlineCountDecorations, toggleInlineCounts } from './ui/inlineDecorations';
import { PprofCommands } from './ui/pprofCommands';
import { startLanguageClient } from './ui/languageClient';
import { ServerTallies } from './ui/serverTallies';
import { engineEnv, readSettings } from './ui/settings';
import { COUNT_AT_CURSOR_COMMAND, countStatementAtCursor } from './ui/countAtCursor';
import { CountStatusBar } from './ui/statusBar';
import { TallyStore } from './ui/tallyStore';
import { TreeCommands } from './ui/treeCommands';
import { Baseline } from './ui/baseline';
import { BaselineCommands } from './ui/baselineCommands';
import { KeptCounts } from './ui/keptCounts';
import { importReport, IMPORT_COMMAND } from './ui/reportImport';
import { StaleFiles } from './ui/staleFiles';

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel('malloclens', { log: true });
  const store = new TallyStore();
  const baseline = new Baseline();
  const stale = new StaleFiles();
  const tree = new AllocationTreeProvider(store, context.workspaceState, { baseline, stale });
  // Kept per workspace: a window without a folder has no storage of its own, and keeps nothing.
  kept = context.storageUri ? new KeptCounts(context.storageUri, store, baseline, log) : undefined;
  const restored = kept?.restore();

  context.subscriptions.push(
    log, store, baseline, stale, ...(kept ? [kept] : []), tree,
    new InlineCountDecorations(store, { baseline, stale }),
    new CountStatusBar(store),
    new DebugTallies(store, log),
    vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new MalloclensConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new MalloclensAdapterFactory(log)),
    delveOffer(),
    vscode.commands.registerCommand(COUNT_AT_CURSOR_COMMAND, () => countStatementAtCursor()),
    vscode.commands.registerCommand(REVEAL_COMMAND, (file: string, line: number) => revealLine(file, line)),
    vscode.commands.registerCommand('malloclens.toggleInlineCounts', () => toggleInlineCounts()),
    vscode.commands.registerCommand('malloclens.debugGoConfiguration', () => debugGoConfiguration()),
    vscode.commands.registerCommand('malloclens.debugActivePackage', () => debugActivePackage()),
    vscode.commands.registerCommand('malloclens.installDelve', () => installDelve(engineEnv(readSettings()))),
    ...new TreeCommands(store, tree).register(),
    ...new PprofCommands(store, log).register(),
    ...new BaselineCommands(store, baseline, log).register(),
    vscode.commands.registerCommand(IMPORT_COMMAND, () => importReport(store)),
    ...new GoExtensionDlv(context).register(),
  );

  // Lenses, hovers and counts: the language server (malloclens lsp), which also registers the
  // count commands (malloclens.countStatement, malloclens.countRun). Stopped with the extension.
  try {
    client = await startLanguageClient(context, log);
    context.subscriptions.push(new ServerTallies(client, store));
  } catch (e) {
    log.error(`the language server did not start: ${(e as Error).message}`);
    void vscode.window.showErrorMessage(`malloclens: the language server did not start (${(e as Error).message}); lenses and hovers are off.`);
  }
  // The view may have drawn itself while kept counts were still being restored.
  await restored;
  tree.redraw();
}

let client: LanguageClient | undefined;
let kept: KeptCounts | undefined;

/** Writes the counts still to be kept before the window goes, and stops the language server. */
export async function deactivate(): Promise<void> {
  await Promise.all([kept?.flush(), client?.stop()]);
}
