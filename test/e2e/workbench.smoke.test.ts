// Smoke test of the e2e harness itself: a packaged extension installed into code-server runs a
// command from the palette, and its status bar item and notification show up in the DOM.
//
// MALLOCLENS_E2E_VSIX names the .vsix to install. It must contribute the command
// "Malloclens Smoke: Say Hello", which shows a status bar item "Malloclens smoke OK: <folder>" and
// a notification "Malloclens smoke: hello from <folder>".

import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { startWorkbench, Workbench } from './workbench';

const vsix = process.env.MALLOCLENS_E2E_VSIX;
const artifactsDir = resolve(process.env.MALLOCLENS_E2E_ARTIFACTS ?? 'test-artifacts/e2e');

describe('e2e workbench harness (code-server + Chromium)', function () {
  // Starting code-server and the workbench takes 10-30 s on two cores.
  this.timeout(300_000);

  let workbench: Workbench | undefined;
  let folder: string | undefined;

  before(async function () {
    if (!vsix) {
      console.log('    skipped: set MALLOCLENS_E2E_VSIX to a .vsix contributing "Malloclens Smoke: Say Hello"');
      this.skip();
    }
    folder = mkdtempSync(join(tmpdir(), 'malloclens-e2e-folder-'));
    writeFileSync(join(folder, 'hello.txt'), 'malloclens e2e smoke: this file was opened through Quick Open\n');
    workbench = await startWorkbench({ vsix, folder, artifactsDir });
  });

  after(async function () {
    await workbench?.stop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('opens a file through Quick Open', async function () {
    const wb = workbench as Workbench;
    await wb.openFile('hello.txt');
    await wb.waitForEditorText('this file was opened through Quick Open');
  });

  it('runs an extension command and shows its status bar item and notification', async function () {
    const wb = workbench as Workbench;
    const name = basename(folder as string);
    await wb.runCommand('Malloclens Smoke: Say Hello');

    const item = wb.page.locator('.part.statusbar .statusbar-item', { hasText: `Malloclens smoke OK: ${name}` });
    await item.waitFor({ state: 'visible', timeout: 60_000 });
    const toast = wb.page.locator('.notifications-toasts .notification-toast', { hasText: `Malloclens smoke: hello from ${name}` });
    await toast.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await item.textContent()) ?? '', /Malloclens smoke OK/);

    const shot = await wb.screenshot('smoke-command');
    console.log(`    screenshot: ${shot}`);
  });
});
