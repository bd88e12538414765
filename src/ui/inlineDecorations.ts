/**
 * Inline counts: `5 allocs · 34.1 KiB` after each counted line (or in a fixed-width column before
 * it), coloured by the line's heat with themable colours, with marks in the overview ruler. Text
 * decorations rather than CodeLens, so that code never moves when counts arrive or change.
 */
import * as vscode from 'vscode';
import { HEAT_COLORS, HEAT_LEVELS, HeatLevel } from '../core/heat';
import { LineCount, lineCountsForFile } from '../core/inlineCounts';
import { markStale, withBaselineDeltas } from '../core/inlineMarks';
import { Throttle } from '../core/throttle';
import { DecorationStyle, readSettings, SECTION } from './settings';
import type { Baseline } from './baseline';
import type { StaleFiles } from './staleFiles';
import type { TallySource, TallyStore } from './tallyStore';

export interface InlineMarkSources {
  baseline: Baseline;
  stale: StaleFiles;
}

const REDRAW_INTERVAL_MS = 250;

export class InlineCountDecorations implements vscode.Disposable {
  private types = new Map<HeatLevel, vscode.TextEditorDecorationType>();
  /** For the `before` style: empty cells of the same width keep uncounted lines aligned. */
  private blank?: vscode.TextEditorDecorationType;
  private style?: DecorationStyle;
  private readonly throttle = new Throttle(() => this.redraw(), REDRAW_INTERVAL_MS);
  private readonly disposables: vscode.Disposable[] = [];

  constructor(private readonly store: TallyStore, private readonly marks?: InlineMarkSources) {
    this.disposables.push(
      store.onDidChange(() => this.throttle.request()),
      ...(marks ? [marks.baseline.onDidChange(() => this.throttle.request()), marks.stale.onDidChange(() => this.throttle.request())] : []),
      vscode.window.onDidChangeVisibleTextEditors(() => this.redraw()),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration(`${SECTION}.inlineCounts`)) this.redraw();
      }),
    );
    this.redraw();
  }

  /** Draws now (the store throttles nothing itself). */
  flush(): void {
    this.throttle.flush();
  }

  private ensureTypes(style: DecorationStyle): void {
    if (this.style === style) return;
    this.disposeTypes();
    this.style = style;
    for (const level of HEAT_LEVELS) {
      const color = new vscode.ThemeColor(HEAT_COLORS[level]);
      this.types.set(level, vscode.window.createTextEditorDecorationType({
        [style]: style === 'after'
          ? { color, margin: '0 0 0 3ch', fontStyle: 'normal' }
          // A fixed-width cell: inline-block so that `width` applies, right-aligned like a column of numbers.
          : { color, margin: '0 2ch 0 0', fontStyle: 'normal', textDecoration: 'none; display: inline-block; text-align: right' },
        ...(level > 0 ? { overviewRulerColor: color, overviewRulerLane: vscode.OverviewRulerLane.Right } : {}),
        rangeBehavior: vscode.DecorationRangeBehavior.ClosedClosed,
      }));
    }
    if (style === 'before') {
      this.blank = vscode.window.createTextEditorDecorationType({
        before: { contentText: '', margin: '0 2ch 0 0', textDecoration: 'none; display: inline-block' },
      });
    }
  }

  private redraw(): void {
    const settings = readSettings().inlineCounts;
    void vscode.commands.executeCommand('setContext', 'malloclens.inlineCountsEnabled', settings.enabled);
    if (!settings.enabled) {
      for (const editor of vscode.window.visibleTextEditors) this.clearEditor(editor);
      return;
    }
    this.ensureTypes(settings.style);
    // The baseline's own counts give way to the counts compared with it, when there are some.
    const baselineId = this.marks?.baseline.current?.sourceId;
    const all = this.store.list();
    const others = all.filter((source) => source.id !== baselineId);
    const sources = others.some((source) => source.kind === 'debug') ? others : all;
    for (const editor of vscode.window.visibleTextEditors) {
      if (editor.document.uri.scheme !== 'file') continue;
      const file = editor.document.uri.fsPath;
      const counts = this.marked(lineCountsForFile(sources, file, settings.minimumShare), file)
        .filter((c) => c.line <= editor.document.lineCount);
      this.draw(editor, counts, settings.style);
    }
  }

  /** The baseline's differences and the stale mark, when the editor has them. */
  private marked(counts: LineCount[], file: string): LineCount[] {
    if (!this.marks) return counts;
    const { baseline, stale } = this.marks;
    const withDeltas = withBaselineDeltas(counts, file, (source) => baseline.compare(source));
    return markStale(withDeltas, (source) => stale.of(source as TallySource).includes(file));
  }

  private draw(editor: vscode.TextEditor, counts: LineCount[], style: DecorationStyle): void {
    const byLevel = new Map<HeatLevel, vscode.DecorationOptions[]>(HEAT_LEVELS.map((l) => [l, []]));
    const width = `${Math.max(0, ...counts.map((c) => c.text.length)) + 1}ch`;
    for (const c of counts) {
      const line = editor.document.lineAt(c.line - 1);
      const at = style === 'after' ? line.range.end : line.range.start;
      byLevel.get(c.level)!.push({
        range: new vscode.Range(at, at),
        renderOptions: { [style]: style === 'after' ? { contentText: c.text } : { contentText: c.text, width } },
      });
    }
    for (const [level, options] of byLevel) editor.setDecorations(this.types.get(level)!, options);
    if (this.blank) {
      const counted = new Set(counts.map((c) => c.line));
      const blanks: vscode.DecorationOptions[] = [];
      if (counts.length > 0) {
        for (let i = 0; i < editor.document.lineCount; i++) {
          if (counted.has(i + 1)) continue;
          const start = editor.document.lineAt(i).range.start;
          blanks.push({ range: new vscode.Range(start, start), renderOptions: { before: { contentText: '\u00a0', width } } });
        }
      }
      editor.setDecorations(this.blank, blanks);
    }
  }

  private clearEditor(editor: vscode.TextEditor): void {
    for (const type of this.types.values()) editor.setDecorations(type, []);
    if (this.blank) editor.setDecorations(this.blank, []);
  }

  private disposeTypes(): void {
    for (const type of this.types.values()) type.dispose();
    this.types.clear();
    this.blank?.dispose();
    this.blank = undefined;
    this.style = undefined;
  }

  dispose(): void {
    this.throttle.dispose();
    this.disposeTypes();
    for (const d of this.disposables) d.dispose();
  }
}

/** Flips `malloclens.inlineCounts.enabled` where it is set (workspace, else user settings). */
export async function toggleInlineCounts(): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const inspected = config.inspect<boolean>('inlineCounts.enabled');
  const target = inspected?.workspaceFolderValue !== undefined || inspected?.workspaceValue !== undefined
    ? vscode.ConfigurationTarget.Workspace
    : vscode.ConfigurationTarget.Global;
  await config.update('inlineCounts.enabled', !readSettings().inlineCounts.enabled, target);
}
