/** VS Code entry point: wires the editor front end (src/ui) together. No logic of its own. */
import * as vscode from 'vscode';
import { AllocationTreeProvider, REVEAL_COMMAND, revealLine, VIEW_ID } from './ui/allocationTreeView';
import { delveOffer, MalloclensAdapterFactory } from './ui/debugAdapterFactory';
import { DEBUG_TYPE, MalloclensConfigurationProvider } from './ui/debugConfiguration';
import { DebugTallies } from './ui/debugTallies';
import { GoDocuments } from './ui/goDocuments';
import { GoExtensionDlv } from './ui/goExtensionDlv';
import { debugActivePackage, debugGoConfiguration } from './ui/goLaunchConfigurations';
import { installDelve } from './ui/delveSetup';
import { InlineCountDecorations, toggleInlineCounts } from './ui/inlineDecorations';
import { LineHoverProvider } from './ui/lineHoverProvider';
import { COUNT_STATEMENT_COMMAND, MakeCallLenses } from './ui/makeCallLenses';
import { engineEnv, readSettings } from './ui/settings';
import { COUNT_AT_CURSOR_COMMAND, countStatementAtCursor } from './ui/countAtCursor';
import { StatementCounter } from './ui/statementCounter';
import { CountStatusBar } from './ui/statusBar';
import { TallyStore } from './ui/tallyStore';
import { TreeCommands } from './ui/treeCommands';
import { Baseline } from './ui/baseline';
import { BaselineCommands } from './ui/baselineCommands';
import { KeptCounts } from './ui/keptCounts';
import { importReport, IMPORT_COMMAND } from './ui/reportImport';
import { StaleFiles } from './ui/staleFiles';

const GO_FILES: vscode.DocumentSelector = { language: 'go', scheme: 'file' };

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('malloclens', { log: true });
  const store = new TallyStore();
  const baseline = new Baseline();
  const stale = new StaleFiles();
  const documents = new GoDocuments();
  const counter = new StatementCounter(store, log);
  const tree = new AllocationTreeProvider(store, context.workspaceState, { baseline, stale });
  // Kept per workspace: a window without a folder has no storage of its own, and keeps nothing.
  kept = context.storageUri ? new KeptCounts(context.storageUri, store, baseline, log) : undefined;
  void kept?.restore();
  const lenses = new MakeCallLenses(documents, store, counter);

  context.subscriptions.push(
    log, store, baseline, stale, ...(kept ? [kept] : []), documents, counter, tree, lenses,
    new InlineCountDecorations(store, { baseline, stale }),
    new CountStatusBar(store),
    new DebugTallies(store, log),
    vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }),
    vscode.languages.registerCodeLensProvider(GO_FILES, lenses),
    vscode.languages.registerHoverProvider(GO_FILES, new LineHoverProvider(documents, store)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new MalloclensConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new MalloclensAdapterFactory(log)),
    delveOffer(),
    vscode.commands.registerCommand(COUNT_STATEMENT_COMMAND, (uri: vscode.Uri, line: number, endLine: number, what?: string, action?: string) => counter.count({ uri, line, endLine, what, action })),
    vscode.commands.registerCommand(COUNT_AT_CURSOR_COMMAND, () => countStatementAtCursor(counter)),
    vscode.commands.registerCommand(REVEAL_COMMAND, (file: string, line: number) => revealLine(file, line)),
    vscode.commands.registerCommand('malloclens.toggleInlineCounts', () => toggleInlineCounts()),
    vscode.commands.registerCommand('malloclens.debugGoConfiguration', () => debugGoConfiguration()),
    vscode.commands.registerCommand('malloclens.debugActivePackage', () => debugActivePackage()),
    vscode.commands.registerCommand('malloclens.installDelve', () => installDelve(engineEnv(readSettings()))),
    ...new TreeCommands(store, tree).register(),
    ...new BaselineCommands(store, baseline, log).register(),
    vscode.commands.registerCommand(IMPORT_COMMAND, () => importReport(store)),
    ...new GoExtensionDlv(context).register(),
  );
}

let kept: KeptCounts | undefined;

/** Writes the counts still to be kept before the window goes. */
export function deactivate(): Promise<void> | undefined {
  return kept?.flush();
}
