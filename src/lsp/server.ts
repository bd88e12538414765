/**
 * `malloclens lsp`: a language server on stdio (LSP 3.17) with what malloclens shows in the source:
 * code lenses that count a statement or one call, hovers with a counted line's anatomy and escape
 * analysis, inlay hints with the latest counts, and commands to count (countCommands.ts). The
 * VS Code extension is one client of it; Neovim, Helix and others are the same.
 */
import {
  CodeLensRefreshRequest, createConnection, ExecuteCommandParams, InitializeParams, InitializeResult,
  InlayHintRefreshRequest, ProposedFeatures, TextDocumentSyncKind,
} from 'vscode-languageserver/node';
import { COUNT_RUN_COMMAND, COUNT_STATEMENT_COMMAND } from '../core/countLenses';
import { CountCommands } from './countCommands';
import { CountSources } from './countSources';
import { GoDocuments } from './documents';
import { hoverAt } from './hover';
import { inlayHintsIn } from './inlayHints';
import { codeLensesOf } from './lenses';
import { MalloclensInitOptions, SOURCES_NOTIFICATION, SourcesParams } from './protocol';

export function runLanguageServer(version: string): Promise<number> {
  // stdout carries the protocol: anything else a library prints goes to stderr (the client's log).
  console.log = console.info = (...args: unknown[]) => process.stderr.write(`${args.join(' ')}\n`);
  const connection = createConnection(ProposedFeatures.all, process.stdin, process.stdout);
  const documents = new GoDocuments();
  const sources = new CountSources();
  let init: MalloclensInitOptions = {};
  let counts: CountCommands | undefined;
  let refreshLenses = false;
  let refreshHints = false;
  let lensesEnabled = true;

  const refresh = () => {
    if (refreshLenses) void connection.sendRequest(CodeLensRefreshRequest.type).catch(() => undefined);
    if (refreshHints && !init.noInlayHints) void connection.sendRequest(InlayHintRefreshRequest.type).catch(() => undefined);
  };
  sources.onChange(refresh);

  connection.onInitialize((params: InitializeParams): InitializeResult => {
    init = (params.initializationOptions ?? {}) as MalloclensInitOptions;
    const caps = params.capabilities;
    refreshLenses = caps.workspace?.codeLens?.refreshSupport === true;
    refreshHints = caps.workspace?.inlayHint?.refreshSupport === true;
    counts = new CountCommands({
      connection, documents, sources, init, refresh,
      canAskConfiguration: caps.workspace?.configuration === true,
      canShowProgress: caps.window?.workDoneProgress === true,
    });
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        ...(init.noInlayHints ? {} : { inlayHintProvider: true }),
        executeCommandProvider: { commands: [COUNT_STATEMENT_COMMAND, COUNT_RUN_COMMAND] },
      },
      serverInfo: { name: 'malloclens', version },
    };
  });

  // VS Code pushes `malloclens.*` (synchronize.configurationSection): only whether lenses show matters here.
  connection.onDidChangeConfiguration((change) => {
    const own = (change.settings as { malloclens?: { codeLens?: { enabled?: unknown } } } | undefined)?.malloclens;
    const enabled = own?.codeLens?.enabled !== false;
    if (enabled !== lensesEnabled) {
      lensesEnabled = enabled;
      refresh();
    }
  });

  connection.onCodeLens((p) => (lensesEnabled && counts ? codeLensesOf(p.textDocument.uri, documents, sources, counts, init.spinner) : []));
  connection.onHover((p) => hoverAt(p.textDocument.uri, p.position, documents, sources, init.revealCommand));
  connection.languages.inlayHint.on((p) => inlayHintsIn(p.textDocument.uri, p.range, documents, sources));
  connection.onNotification(SOURCES_NOTIFICATION, (p: SourcesParams) => sources.set(p.set ?? [], p.remove ?? []));

  connection.onExecuteCommand((p: ExecuteCommandParams) => {
    const args = (p.arguments ?? []) as unknown[];
    if (!counts) throw new Error('malloclens: not initialized');
    switch (p.command) {
      case COUNT_STATEMENT_COMMAND:
        return counts.countStatement(args[0] as string, args[1] as number, args[2] as number | undefined, args[3] as string | undefined, args[4] as string | undefined, args[5]);
      case COUNT_RUN_COMMAND:
        return counts.countRun(args[0] as string);
      default:
        throw new Error(`malloclens: unknown command ${p.command}`);
    }
  });

  // The client is going: stop every count first, so that no Delve or debuggee outlives the server
  // (on a bare exit or a closed stdin, delveProcess.ts's exit hook kills them).
  connection.onShutdown(() => counts?.abortAll());

  documents.documents.listen(connection);
  connection.listen();
  // The server ends the process itself (exit notification, closed stdin, the client's process gone).
  return new Promise<number>(() => undefined);
}
