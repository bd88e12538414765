// Reads what a person sees in the workbench's active editor and side bar: CodeLens titles, inline
// decoration texts, hover contents, tree rows. Monaco draws `after`/`before` decoration text with
// CSS pseudo-elements, so inline counts are read from computed styles, not from textContent.

import type { Locator, Page } from 'playwright-core';

/** The little of the DOM page-side callbacks use; the project compiles without the DOM lib. */
interface El {
  readonly children: ArrayLike<El>;
  readonly textContent: string | null;
  readonly style: { top: string };
  querySelectorAll(selector: string): ArrayLike<El>;
  querySelector(selector: string): El | null;
  getBoundingClientRect(): { top: number; bottom: number; left: number; width: number; height: number };
  setAttribute(name: string, value: string): void;
  removeAttribute(name: string): void;
}
interface PageGlobals {
  document: { querySelector(selector: string): El | null };
  getComputedStyle(el: El, pseudo?: string): { content: string; visibility: string };
}

const EDITOR = '.editor-group-container.active .monaco-editor';

export interface RenderedLine {
  line: number;
  text: string;
  /** Decoration texts drawn before/after the line's code. */
  decorations: string[];
}

/** The rendered lines of the active editor (Monaco only renders those in view), with their decoration texts. */
export async function renderedLines(page: Page): Promise<RenderedLine[]> {
  return page.evaluate((editorSelector) => {
    const g = globalThis as unknown as PageGlobals;
    const editor = g.document.querySelector(editorSelector);
    if (!editor) return [];
    // Line numbers live in the margin, code in .view-lines; both are positioned by the same `top`.
    const numberAt = new Map<string, number>();
    const margin = editor.querySelectorAll('.margin-view-overlays > div');
    for (let i = 0; i < margin.length; i++) {
      const n = Number((margin[i].querySelector('.line-numbers')?.textContent ?? '').trim());
      if (n > 0) numberAt.set(margin[i].style.top, n);
    }
    const out: { line: number; text: string; decorations: string[] }[] = [];
    const lines = editor.querySelectorAll('.view-lines .view-line');
    for (let i = 0; i < lines.length; i++) {
      const el = lines[i];
      const line = numberAt.get(el.style.top);
      if (line === undefined) continue;
      const decorations: string[] = [];
      const spans = el.querySelectorAll('span');
      for (let j = 0; j < spans.length; j++) {
        for (const pseudo of ['::before', '::after']) {
          const content = g.getComputedStyle(spans[j], pseudo).content;
          // "none"/"normal" when no pseudo-element; otherwise a quoted CSS string.
          if (content && content !== 'none' && content !== 'normal' && content !== '""') {
            decorations.push(JSON.parse(content.replace(/\\([0-9a-f]{1,6}) ?/gi, (_m, hex: string) => String.fromCodePoint(parseInt(hex, 16)))) as string);
          }
        }
      }
      out.push({ line, text: (el.textContent ?? '').replace(/\u00a0/g, ' '), decorations });
    }
    return out.sort((a, b) => a.line - b.line);
  }, EDITOR);
}

/** Decoration texts of one line (empty when the line is rendered without any). */
export async function decorationsOf(page: Page, line: number): Promise<string[] | undefined> {
  return (await renderedLines(page)).find((l) => l.line === line)?.decorations;
}

/**
 * The first of what `read` gives that `find` accepts, read again every 250 ms (the editor's
 * views redraw on their own schedule) until `timeoutMs`; then an error saying `what` and the last read.
 */
async function poll<T, R>(page: Page, read: () => Promise<T>, find: (seen: T) => R | undefined, timeoutMs: number, what: string): Promise<R> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    const hit = find(last);
    if (hit !== undefined) return hit;
    await page.waitForTimeout(250);
  }
  throw new Error(`${what} within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
}

export async function waitForDecoration(page: Page, line: number, accept: (text: string) => boolean, timeoutMs: number): Promise<string> {
  return poll(page, () => decorationsOf(page, line), (seen) => seen?.find(accept), timeoutMs, `line ${line}: no matching inline decoration`);
}

export interface Lens {
  /** The line the lens stands above. */
  line: number;
  title: string;
}

/** CodeLenses of the active editor, each with the line it stands above. */
export async function codeLenses(page: Page): Promise<Lens[]> {
  return page.evaluate((editorSelector) => {
    const g = globalThis as unknown as PageGlobals;
    const editor = g.document.querySelector(editorSelector);
    if (!editor) return [];
    const tops: { top: number; line: number }[] = [];
    const margin = editor.querySelectorAll('.margin-view-overlays > div');
    for (let i = 0; i < margin.length; i++) {
      const n = Number((margin[i].querySelector('.line-numbers')?.textContent ?? '').trim());
      if (n > 0) tops.push({ top: margin[i].getBoundingClientRect().top, line: n });
    }
    tops.sort((a, b) => a.top - b.top);
    const lenses: { line: number; title: string }[] = [];
    const found = editor.querySelectorAll('.codelens-decoration');
    for (let i = 0; i < found.length; i++) {
      const rect = found[i].getBoundingClientRect();
      // Lenses of lines out of view stay in the DOM, hidden at the top: they stand above no line.
      if (rect.height === 0 || g.getComputedStyle(found[i]).visibility === 'hidden') continue;
      const top = rect.top;
      // A lens stands in the view zone right above its line: the first line below it.
      const below = tops.find((t) => t.top > top);
      if (below) lenses.push({ line: below.line, title: (found[i].textContent ?? '').replace(/\u00a0/g, ' ').trim() });
    }
    return lenses.sort((a, b) => a.line - b.line);
  }, EDITOR);
}

/** Clicks the lens titled `title` that stands right above `line` (which must be in view). */
export async function clickLensAbove(page: Page, line: number, title: string): Promise<void> {
  const marked = await page.evaluate(({ editorSelector, line, title }) => {
    const g = globalThis as unknown as PageGlobals;
    const editor = g.document.querySelector(editorSelector);
    if (!editor) return false;
    let lineTop: number | undefined;
    const margin = editor.querySelectorAll('.margin-view-overlays > div');
    for (let i = 0; i < margin.length; i++) {
      if (Number((margin[i].querySelector('.line-numbers')?.textContent ?? '').trim()) === line) lineTop = margin[i].getBoundingClientRect().top;
    }
    if (lineTop === undefined) return false;
    let best: { el: El; gap: number } | undefined;
    const links = editor.querySelectorAll('.codelens-decoration a');
    for (let i = 0; i < links.length; i++) {
      const rect = links[i].getBoundingClientRect();
      if (rect.height === 0 || g.getComputedStyle(links[i]).visibility === 'hidden' || (links[i].textContent ?? '').replace(/\u00a0/g, ' ').trim() !== title) continue;
      const gap = lineTop - rect.bottom;
      if (gap >= -1 && (!best || gap < best.gap)) best = { el: links[i], gap };
    }
    best?.el.setAttribute('data-malloclens-probe', 'lens');
    return best !== undefined;
  }, { editorSelector: EDITOR, line, title });
  if (!marked) throw new Error(`no lens "${title}" above line ${line}`);
  await page.locator(`${EDITOR} [data-malloclens-probe="lens"]`).click();
  await page.evaluate((editorSelector) => (globalThis as unknown as PageGlobals).document.querySelector(editorSelector)?.querySelector('[data-malloclens-probe]')?.removeAttribute('data-malloclens-probe'), EDITOR);
}

/** The clickable lens above `line`. */
export function lensLink(page: Page, title: string | RegExp): Locator {
  return page.locator(`${EDITOR} .codelens-decoration a`, { hasText: title });
}

export async function waitForLens(page: Page, line: number, accept: (title: string) => boolean, timeoutMs: number): Promise<Lens> {
  return poll(page, () => codeLenses(page), (seen) => seen.find((l) => l.line === line && accept(l.title)), timeoutMs, `no matching lens above line ${line}`);
}

/** Moves the mouse over the code of `line` and returns the hover's text once it shows. */
export async function hoverText(page: Page, line: number, timeoutMs = 20_000): Promise<string> {
  const box = await page.evaluate(({ editorSelector, wanted }) => {
    const g = globalThis as unknown as PageGlobals;
    const editor = g.document.querySelector(editorSelector);
    if (!editor) return undefined;
    const margin = editor.querySelectorAll('.margin-view-overlays > div');
    let top: string | undefined;
    for (let i = 0; i < margin.length; i++) {
      if (Number((margin[i].querySelector('.line-numbers')?.textContent ?? '').trim()) === wanted) top = margin[i].style.top;
    }
    const lines = editor.querySelectorAll('.view-lines .view-line');
    for (let i = 0; i < lines.length; i++) {
      if (lines[i].style.top !== top) continue;
      // The first span with text: hovering the code, not the empty space after it.
      const spans = lines[i].querySelectorAll('span > span');
      for (let j = 0; j < spans.length; j++) {
        if ((spans[j].textContent ?? '').trim()) {
          const r = spans[j].getBoundingClientRect();
          return { x: r.left + Math.min(r.width / 2, 20), y: r.top + r.height / 2 };
        }
      }
    }
    return undefined;
  }, { editorSelector: EDITOR, wanted: line });
  if (!box) throw new Error(`line ${line} is not rendered`);
  const hover = page.locator('.monaco-hover:not(.hidden) .hover-contents').first();
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    await page.mouse.move(box.x + (attempt % 2), box.y);
    try {
      await hover.waitFor({ state: 'visible', timeout: 3_000 });
      return ((await page.locator('.monaco-hover:not(.hidden)').first().textContent()) ?? '').replace(/\u00a0/g, ' ');
    } catch {
      await page.mouse.move(box.x, box.y - 200);
    }
  }
  throw new Error(`no hover over line ${line} within ${timeoutMs} ms`);
}

export interface TreeRow {
  label: string;
  description: string;
  level: number;
  expanded: boolean | undefined;
}

const TREE = '[id="workbench.view.extension.malloclens"] .monaco-list';

/**
 * The rows of the malloclens allocation view, as rendered, read in one go: row by row, a redraw between two reads (a count arriving) could
 * show a row twice or skip one.
 */
export async function treeRows(page: Page): Promise<TreeRow[]> {
  return page.locator(`${TREE} .monaco-list-row`).evaluateAll((rows) => rows.map((row) => {
    const expanded = row.getAttribute('aria-expanded');
    return {
      label: (row.querySelector('.label-name')?.textContent ?? '').trim(),
      description: (row.querySelector('.label-description')?.textContent ?? '').trim(),
      level: Number(row.getAttribute('aria-level')),
      expanded: expanded === null ? undefined : expanded === 'true',
    };
  }));
}

export function treeRow(page: Page, label: string | RegExp): Locator {
  return page.locator(`${TREE} .monaco-list-row`, { has: page.locator('.label-name', { hasText: label }) });
}

/** The first row labelled `label` whose description `accept`s, waiting for the view's redraws (300 ms apart). */
/** The view's rows once `accept` takes them (a redraw in progress can show part of the tree). */
export async function waitForTreeRows(page: Page, accept: (rows: TreeRow[]) => boolean, timeoutMs: number, what: string): Promise<TreeRow[]> {
  return poll(page, () => treeRows(page), (seen) => (accept(seen) ? seen : undefined), timeoutMs, what);
}

export async function waitForTreeRow(page: Page, label: string, accept: (description: string) => boolean, timeoutMs: number): Promise<TreeRow> {
  const rows = async () => (await treeRows(page)).filter((r) => r.label === label);
  return poll(page, rows, (seen) => seen.find((r) => accept(r.description)), timeoutMs, `no tree row "${label}" as expected`);
}
