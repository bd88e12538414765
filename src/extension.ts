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
import { PprofCommands } from './ui/pprofCommands';
import { engineEnv, readSettings } from './ui/settings';
import { COUNT_AT_CURSOR_COMMAND, countStatementAtCursor } from './ui/countAtCursor';
import { StatementCounter, TestTarget } from './ui/statementCounter';
import { CountStatusBar } from './ui/statusBar';
import { TallyStore } from './ui/tallyStore';
import { TreeCommands } from './ui/treeCommands';

const GO_FILES: vscode.DocumentSelector = { language: 'go', scheme: 'file' };

export function activate(context: vscode.ExtensionContext): void {
  const log = vscode.window.createOutputChannel('malloclens', { log: true });
  const store = new TallyStore();
  const documents = new GoDocuments();
  const counter = new StatementCounter(store, log);
  const tree = new AllocationTreeProvider(store, context.workspaceState);
  const lenses = new MakeCallLenses(documents, store, counter);

  context.subscriptions.push(
    log, store, documents, counter, tree, lenses,
    new InlineCountDecorations(store),
    new CountStatusBar(store),
    new DebugTallies(store, log),
    vscode.window.createTreeView(VIEW_ID, { treeDataProvider: tree, showCollapseAll: true }),
    vscode.languages.registerCodeLensProvider(GO_FILES, lenses),
    vscode.languages.registerHoverProvider(GO_FILES, new LineHoverProvider(documents, store)),
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, new MalloclensConfigurationProvider()),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, new MalloclensAdapterFactory(log)),
    delveOffer(),
    vscode.commands.registerCommand(COUNT_STATEMENT_COMMAND, (uri: vscode.Uri, line: number, endLine: number, what?: string, action?: string, test?: TestTarget) => counter.count({ uri, line, endLine, what, action, test })),
    vscode.commands.registerCommand(COUNT_AT_CURSOR_COMMAND, () => countStatementAtCursor(counter)),
    vscode.commands.registerCommand(REVEAL_COMMAND, (file: string, line: number) => revealLine(file, line)),
    vscode.commands.registerCommand('malloclens.toggleInlineCounts', () => toggleInlineCounts()),
    vscode.commands.registerCommand('malloclens.debugGoConfiguration', () => debugGoConfiguration()),
    vscode.commands.registerCommand('malloclens.debugActivePackage', () => debugActivePackage()),
    vscode.commands.registerCommand('malloclens.installDelve', () => installDelve(engineEnv(readSettings()))),
    ...new TreeCommands(store, tree).register(),
    ...new PprofCommands(store, log).register(),
    ...new GoExtensionDlv(context).register(),
  );
}

export function deactivate(): void {}
