/**
 * The extension as a client of `malloclens lsp` (dist/cli.js, the same server Neovim and Helix
 * talk to): lenses, hovers and counts come from there. What only VS Code has stays here: the
 * server's messages may offer editor commands (Show Problems, Set Delve Path), a count's progress
 * is a cancellable notification, a file is saved before it is counted, and the lenses get their
 * tooltips back (LSP 3.17 commands have none).
 */
import * as vscode from 'vscode';
import { LanguageClient, LanguageClientOptions, ServerOptions, TransportKind } from 'vscode-languageclient/node';
import { COUNT_RUN_COMMAND } from '../core/countLenses';
import { CLIENT_COMMAND_NOTIFICATION, ClientCommandParams, MalloclensInitOptions } from '../lsp/protocol';
import { REVEAL_COMMAND } from './allocationTreeView';
import { showCountProgress } from './countProgress';
import { SECTION } from './settings';

/** Commands the server may ask this client to run (anything else it names is ignored). */
const CLIENT_COMMANDS = new Set(['workbench.actions.view.problems', 'workbench.action.openSettings']);

export async function startLanguageClient(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): Promise<LanguageClient> {
  const module = context.asAbsolutePath('dist/cli.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.stdio, args: ['lsp'] },
    debug: { module, transport: TransportKind.stdio, args: ['lsp'] },
  };
  const initializationOptions: MalloclensInitOptions = { revealCommand: REVEAL_COMMAND, spinner: '$(loading~spin) ', clientCommands: true, noInlayHints: true };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ scheme: 'file', language: 'go' }],
    synchronize: { configurationSection: SECTION },
    initializationOptions,
    outputChannel: log,
    // Only the reveal command may run from the hover's links.
    markdown: { isTrusted: { enabledCommands: [REVEAL_COMMAND] } },
    middleware: {
      provideCodeLenses: async (document, token, next) => {
        const lenses = await next(document, token);
        for (const lens of lenses ?? []) {
          const tooltip = (lens as { data?: { tooltip?: string } }).data?.tooltip;
          if (lens.command && tooltip) lens.command.tooltip = tooltip;
        }
        return lenses;
      },
      executeCommand: async (command, args, next) => {
        // From the palette a whole run has no file: the active editor's.
        if (command === COUNT_RUN_COMMAND && args.length === 0) {
          const editor = vscode.window.activeTextEditor;
          if (!editor || editor.document.languageId !== 'go' || editor.document.uri.scheme !== 'file') {
            void vscode.window.showInformationMessage('malloclens: open a Go file of the program (or a _test.go file of the package) to count a whole run.');
            return undefined;
          }
          args = [editor.document.uri.toString()];
        }
        // The server builds what is on disk: what the user sees must be saved first.
        const open = typeof args[0] === 'string' ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === args[0]) : undefined;
        if (open?.isDirty) await open.save();
        return next(command, args);
      },
    },
  };
  const client = new LanguageClient('malloclens', 'malloclens', serverOptions, clientOptions);
  await client.start();
  // After start: this replaces the client's own progress handler (a status bar item that cannot be cancelled).
  showCountProgress(client);
  client.onNotification(CLIENT_COMMAND_NOTIFICATION, (p: ClientCommandParams) => {
    if (CLIENT_COMMANDS.has(p.command)) void vscode.commands.executeCommand(p.command, ...(p.args ?? []));
  });
  return client;
}
