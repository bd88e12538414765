/** The make(...) calls of open Go documents, parsed with tree-sitter once per document version. */
import * as vscode from 'vscode';
import { loadGoParser, MakeCall } from '../core/goSource';

export class GoDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; calls: Promise<MakeCall[]> }>();
  private readonly closed: vscode.Disposable;

  constructor() {
    this.closed = vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString()));
  }

  makeCalls(document: vscode.TextDocument): Promise<MakeCall[]> {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.calls;
    const text = document.getText();
    const calls = loadGoParser().then((parser) => parser.findMakeCalls(text));
    this.cache.set(key, { version: document.version, calls });
    return calls;
  }

  dispose(): void {
    this.closed.dispose();
    this.cache.clear();
  }
}
