// Reads the debugger's state as a person sees it in the workbench: the line the program is paused
// at (the editor's top-stack-frame highlight), the Debug Console's output, and the notifications.

import type { Page } from 'playwright-core';

/** The little of the DOM page-side callbacks use; the project compiles without the DOM lib. */
interface El {
  readonly style: { top: string };
  readonly textContent: string | null;
  querySelector(selector: string): El | null;
  querySelectorAll(selector: string): ArrayLike<El>;
}

const EDITOR = '.editor-group-container.active .monaco-editor';

/** The line the active editor highlights as the top stack frame, if any (rendered lines only). */
export async function pausedLine(page: Page): Promise<number | undefined> {
  return page.evaluate((editorSelector) => {
    const doc = (globalThis as unknown as { document: { querySelector(s: string): El | null } }).document;
    const editor = doc.querySelector(editorSelector);
    if (!editor) return undefined;
    // The highlight is a whole-line decoration in .view-overlays; the margin, positioned by the
    // same `top`, carries the line number.
    const overlays = editor.querySelectorAll('.view-overlays > div');
    let top: string | undefined;
    for (let i = 0; i < overlays.length; i++) if (overlays[i].querySelector('.debug-top-stack-frame-line')) top = overlays[i].style.top;
    if (top === undefined) return undefined;
    const margin = editor.querySelectorAll('.margin-view-overlays > div');
    for (let i = 0; i < margin.length; i++) {
      if (margin[i].style.top === top) return Number((margin[i].querySelector('.line-numbers')?.textContent ?? '').trim()) || undefined;
    }
    return undefined;
  }, EDITOR);
}

export async function waitForPausedLine(page: Page, line: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | undefined;
  while (Date.now() < deadline) {
    last = await pausedLine(page);
    if (last === line) return;
    await page.waitForTimeout(250);
  }
  throw new Error(`not paused at line ${line} within ${timeoutMs} ms; paused at ${String(last)}`);
}

/** Types an expression into the Debug Console (which must be open) and returns the new output rows. */
export async function evaluateInDebugConsole(page: Page, expression: string, timeoutMs = 20_000): Promise<string[]> {
  const rows = page.locator('.repl .monaco-list-row');
  const before = await rows.count();
  const input = page.locator('.repl .repl-input-wrapper .monaco-editor textarea');
  await input.waitFor({ state: 'attached', timeout: timeoutMs });
  await input.focus();
  await page.keyboard.type(expression);
  await page.keyboard.press('Enter');
  // The echo of the expression, then its value.
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline && (await rows.count()) < before + 2) await page.waitForTimeout(200);
  return (await rows.allTextContents()).slice(before).map((t) => t.trim());
}

/** The messages in the notification center (opened for the reading), oldest last as listed. */
export async function notificationMessages(page: Page): Promise<string[]> {
  return (await page.locator('.notifications-center .notification-list-item-message').allTextContents()).map((t) => t.trim());
}
