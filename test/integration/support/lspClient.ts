/**
 * A plain LSP client over stdio (vscode-languageserver-protocol's node connection, no editor):
 * starts `malloclens lsp`, answers what the server asks (configuration, progress tokens, message
 * requests), and keeps what it is told (messages, progress, reports, diagnostics).
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import {
  createProtocolConnection, InitializeRequest, ProtocolConnection, StreamMessageReader, StreamMessageWriter,
} from 'vscode-languageserver-protocol/node';
import { CLI, markedEnv, ROOT } from '../helpers';

export interface LspClient {
  connection: ProtocolConnection;
  child: ChildProcessWithoutNullStreams;
  messages: { type: number; message: string }[];
  progress: unknown[];
  reports: unknown[];
  diagnostics: Map<string, unknown[]>;
  stderr: () => string;
  /** shutdown, exit; resolves with the server's exit code. */
  close(): Promise<number | null>;
}

export async function startLspClient(env: NodeJS.ProcessEnv = {}, settings: Record<string, unknown> = {}): Promise<LspClient> {
  const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { cwd: ROOT, env: markedEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const connection = createProtocolConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const client: LspClient = {
    connection, child, messages: [], progress: [], reports: [], diagnostics: new Map(),
    stderr: () => stderr,
    close: async () => {
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
      const code = await exited;
      connection.dispose();
      return code;
    },
  };
  connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) => p.items.map((i) => settings[i.section ?? ''] ?? null));
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.onRequest('workspace/codeLens/refresh', () => null);
  connection.onRequest('workspace/inlayHint/refresh', () => null);
  connection.onRequest('window/showMessageRequest', (p: { type: number; message: string }) => {
    client.messages.push(p);
    return null;
  });
  connection.onNotification('window/showMessage', (p: { type: number; message: string }) => client.messages.push(p));
  connection.onNotification('window/logMessage', () => undefined);
  connection.onNotification('$/progress', (p: unknown) => client.progress.push(p));
  connection.onNotification('malloclens/report', (p: unknown) => client.reports.push(p));
  connection.onNotification('textDocument/publishDiagnostics', (p: { uri: string; diagnostics: unknown[] }) => client.diagnostics.set(p.uri, p.diagnostics));
  connection.listen();
  await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: null,
    capabilities: {
      workspace: { configuration: true, codeLens: { refreshSupport: true }, inlayHint: { refreshSupport: true } },
      window: { workDoneProgress: true },
      textDocument: { hover: { contentFormat: ['markdown', 'plaintext'] } },
    },
  });
  await connection.sendNotification('initialized', {});
  return client;
}
