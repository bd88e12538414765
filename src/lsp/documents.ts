/** The open Go documents (LSP text synchronisation) and their outlines, parsed once per version. */
import { fileURLToPath } from 'node:url';
import { TextDocuments } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { GoOutline, loadGoParser } from '../core/goSource';

export class GoDocuments {
  readonly documents = new TextDocuments(TextDocument);
  private readonly outlines = new Map<string, { version: number; outline: Promise<GoOutline> }>();

  constructor() {
    this.documents.onDidClose((e) => this.outlines.delete(e.document.uri));
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  outline(document: TextDocument): Promise<GoOutline> {
    const cached = this.outlines.get(document.uri);
    if (cached && cached.version === document.version) return cached.outline;
    const text = document.getText();
    const outline = loadGoParser().then((parser) => parser.outline(text, document.uri));
    this.outlines.set(document.uri, { version: document.version, outline });
    return outline;
  }
}

/** The local path of a `file:` URI; undefined for any other scheme (nothing there can be built). */
export function filePath(uri: string): string | undefined {
  return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
}

/** The text of a 1-based line, without its end of line. */
export function lineText(document: TextDocument, line: number): string | undefined {
  if (line < 1 || line > document.lineCount) return undefined;
  return document.getText({ start: { line: line - 1, character: 0 }, end: { line, character: 0 } }).replace(/\r?\n$/, '');
}
