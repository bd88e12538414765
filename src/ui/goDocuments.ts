/**
 * What the lenses and the hover need to know of an open Go document, parsed with tree-sitter once
 * per document version: its make(...) calls, its functions, and where it does not parse.
 */
import * as vscode from 'vscode';
import { FunctionSpan, loadGoParser, MakeCall, TestFunction } from '../core/goSource';

export interface GoOutline {
  makeCalls: MakeCall[];
  functions: FunctionSpan[];
  /** In a _test.go file: its benchmarks and tests. */
  testFunctions: TestFunction[];
  syntaxErrors: { line: number; column: number; text: string }[];
}

export class GoDocuments implements vscode.Disposable {
  private readonly cache = new Map<string, { version: number; outline: Promise<GoOutline> }>();
  private readonly closed: vscode.Disposable;

  constructor() {
    this.closed = vscode.workspace.onDidCloseTextDocument((d) => this.cache.delete(d.uri.toString()));
  }

  outline(document: vscode.TextDocument): Promise<GoOutline> {
    const key = document.uri.toString();
    const cached = this.cache.get(key);
    if (cached && cached.version === document.version) return cached.outline;
    const text = document.getText();
    const outline = loadGoParser().then((parser) => ({
      makeCalls: parser.findMakeCalls(text),
      functions: parser.functions(text),
      testFunctions: document.uri.fsPath.endsWith('_test.go') ? parser.testFunctions(text) : [],
      syntaxErrors: parser.syntaxErrors(text),
    }));
    this.cache.set(key, { version: document.version, outline });
    return outline;
  }

  async makeCalls(document: vscode.TextDocument): Promise<MakeCall[]> {
    return (await this.outline(document)).makeCalls;
  }

  dispose(): void {
    this.closed.dispose();
    this.cache.clear();
  }
}
