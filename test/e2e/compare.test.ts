// Comparing runs and keeping counts, in a real VS Code workbench (code-server + Chromium): import a
// saved report (a garbage file first: refused with its reason), debug the program, pick the
// imported report as the baseline and see `+N`/`−N` inline and in the tree, reload the window and
// see the counts (and the baseline) still there, then compare with the optimized build.
//
// The fixture (test/fixtures/compare) measures its lines with runtime.MemStats.Mallocs: the
// baseline is the CLI's count of `compare 2`, the session runs `compare 3`, and the differences
// shown must equal the differences of the program's own measurements in the two runs.

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { formatDelta } from '../../src/core/format';
import type { MallocReport } from '../../src/core/report';
import { decorationsOf, treeRow, treeRows, waitForDecoration, waitForTreeRow } from './editorProbe';
import { startWorkbench, Workbench } from './workbench';

const execFileAsync = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');
const artifactsDir = resolve(process.env.MALLOCLENS_E2E_ARTIFACTS ?? join(repo, 'test-artifacts', 'e2e'), 'compare');
const LAUNCH_NAME = 'Count compare 3';

async function packageExtension(dir: string): Promise<string> {
  if (process.env.MALLOCLENS_E2E_PACKAGE) return resolve(process.env.MALLOCLENS_E2E_PACKAGE);
  const vsix = join(dir, 'malloclens.vsix');
  await execFileAsync('npm', ['run', '--silent', 'package', '--', '--out', vsix], { cwd: repo, timeout: 300_000 });
  return vsix;
}

function caseLines(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').map((t, i) => ({ t: t.trimEnd(), line: i + 1 })).filter((l) => l.t.endsWith('// case')).map((l) => l.line);
}

function oracle(file: string, lines: number[]): Map<number, number> {
  const { deltas } = JSON.parse(readFileSync(file, 'utf8')) as { deltas: number[] };
  return new Map(lines.map((line, i) => [line, deltas[i]]));
}

describe('compare and kept counts in a real VS Code (code-server + Chromium)', function () {
  this.timeout(600_000);

  let workbench: Workbench | undefined;
  let temp: string;
  let folder: string;
  let lines: number[];
  let baseline: MallocReport;
  /** The fixture's first two measured lines: 1000·n allocations, and 12/n. */
  let LOOP_LINE: number;
  let DIVIDED_LINE: number;

  before(async function () {
    temp = mkdtempSync(join(tmpdir(), 'malloclens-e2e-compare-'));
    folder = join(temp, 'compare');
    cpSync(join(repo, 'test', 'fixtures', 'compare'), folder, { recursive: true });
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [{ name: LAUNCH_NAME, type: 'malloclens', request: 'launch', mode: 'auto', program: '${workspaceFolder}', args: ['3'], env: { MALLOCLENS_ORACLE_OUT: join(temp, 'oracle-3.json') } }],
    }, null, 2));
    lines = caseLines(join(folder, 'main.go'));
    [LOOP_LINE, DIVIDED_LINE] = lines;
    const vsix = await packageExtension(temp);
    await execFileAsync(process.execPath, [join(repo, 'dist', 'cli.js'), 'count', '--json', '-o', 'baseline.json', '.', '--', '2'], {
      cwd: folder, timeout: 300_000, env: { ...process.env, MALLOCLENS_ORACLE_OUT: join(temp, 'oracle-2.json') },
    });
    baseline = JSON.parse(readFileSync(join(folder, 'baseline.json'), 'utf8')) as MallocReport;
    writeFileSync(join(folder, 'garbage.json'), '{"lines": "no"}');
    workbench = await startWorkbench({ vsix, folder, artifactsDir, settings: { 'malloclens.inlineCounts.style': 'after', 'debug.internalConsoleOptions': 'neverOpen' } });
  });

  afterEach(async function () {
    if (this.currentTest?.state !== 'failed' || !workbench) return;
    const rows = await treeRows(workbench.page).catch(() => []);
    console.log(`    on failure, tree: ${rows.map((r) => `${r.label} (${r.description})`).join(' | ')}`);
    console.log(`    screenshot: ${await workbench.screenshot(`failed-${this.currentTest.title.slice(0, 30).replace(/\W+/g, '-')}`)}`);
  });

  after(async function () {
    await workbench?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  const wb = () => workbench as Workbench;

  /**
   * Answers VS Code's own (simple) file dialog, a quick input holding a path. It fills its box with
   * the folder's path when it has listed it, over anything typed before: type until the box keeps
   * the path, then accept, and again if the dialog is still there.
   */
  async function answerFileDialog(file: string): Promise<void> {
    const input = wb().page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if ((await input.inputValue()) !== file) await input.fill(file);
      await wb().page.waitForTimeout(700);
      if ((await input.inputValue()) !== file) continue;
      await input.press('Enter');
      try {
        await input.waitFor({ state: 'hidden', timeout: 3_000 });
        return;
      } catch {
        // still open: its listing overwrote the path; type it again
      }
    }
    assert.fail(`the file dialog did not take ${file}; its box holds ${JSON.stringify(await input.inputValue())}`);
  }

  /** Hides the panel when it is shown ("View: Hide Panel" is not always offered; the toggle is). */
  async function hidePanel(): Promise<void> {
    const panel = wb().page.locator('.part.panel');
    for (let attempt = 0; attempt < 3; attempt++) {
      await wb().page.waitForTimeout(500);
      if (!(await panel.isVisible())) return;
      await wb().runCommand('View: Toggle Panel Visibility');
      await panel.waitFor({ state: 'hidden', timeout: 10_000 }).catch(() => undefined);
    }
  }

  /** Shows the Allocations view (a click on its activity-bar icon would close it when it is open). */
  async function openAllocations(): Promise<void> {
    await wb().runCommand('malloclens: Focus on Allocations View');
  }

  it('refuses a file that is not a report, with the reason, and imports a saved report', async function () {
    await wb().openFile('main.go');
    await wb().waitForEditorText('sinkB = make([]byte, 8)');
    await wb().runCommand('malloclens: Import Report (JSON)…');
    await answerFileDialog(join(folder, 'garbage.json'));
    const toast = wb().page.locator('.notifications-toasts .notification-toast', { hasText: 'garbage.json is not a malloclens report' });
    await toast.waitFor({ state: 'visible', timeout: 15_000 });
    const message = await toast.locator('.notification-list-item-message').innerText();
    console.log(`    garbage: ${message.trim()}`);
    assert.match(message, /^malloclens: garbage\.json is not a malloclens report: it has no "lines" array/);
    console.log(`    screenshot: ${await wb().screenshot('import-garbage')}`);
    await wb().runCommand('Notifications: Clear All Notifications');

    await wb().runCommand('malloclens: Import Report (JSON)…');
    await answerFileDialog(join(folder, 'baseline.json'));
    const expected = baseline.lines.find((l) => l.line === LOOP_LINE)!;
    const inline = await waitForDecoration(wb().page, LOOP_LINE, (t) => /alloc/.test(t), 20_000);
    assert.match(inline, new RegExp(`^run: ${expected.count.toLocaleString('en-US')} allocs`));
    await openAllocations();
    await treeRow(wb().page, 'baseline.json').waitFor({ state: 'visible', timeout: 10_000 });
    const row = (await treeRows(wb().page)).find((r) => r.label === 'baseline.json');
    assert.match(row!.description, / · imported · run · /);
  });

  it('compares a debug session with the imported report: +N inline and in the tree, equal to the program\'s own differences', async function () {
    await wb().runCommand('Debug: Select and Start Debugging');
    await wb().pick(LAUNCH_NAME);
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 180_000 });
    // The Debug Console would cover the measured lines (Monaco renders only lines in view).
    await hidePanel();
    await openAllocations();
    await treeRow(wb().page, LAUNCH_NAME).waitFor({ state: 'visible', timeout: 30_000 });
    await wb().page.waitForTimeout(1000);

    await wb().runCommand('malloclens: Compare with Baseline…');
    await wb().pick('baseline.json', 'baseline.json');
    await hidePanel();
    const before = oracle(join(temp, 'oracle-2.json'), lines);
    const after = oracle(join(temp, 'oracle-3.json'), lines);
    const expected = (line: number) => formatDelta(after.get(line)! - before.get(line)!);
    const loop = await waitForDecoration(wb().page, LOOP_LINE, (t) => t.includes('vs baseline'), 20_000);
    const divided = (await decorationsOf(wb().page, DIVIDED_LINE))?.[0] ?? '';
    console.log(`    line ${LOOP_LINE}: "${loop}" (MemStats ${before.get(LOOP_LINE)} → ${after.get(LOOP_LINE)}); line ${DIVIDED_LINE}: "${divided}" (MemStats ${before.get(DIVIDED_LINE)} → ${after.get(DIVIDED_LINE)})`);
    assert.ok(loop.endsWith(`(${expected(LOOP_LINE)} vs baseline)`), loop);
    assert.ok(divided.endsWith(`(${expected(DIVIDED_LINE)} vs baseline)`), divided);
    assert.equal(expected(LOOP_LINE), '+1,000');
    assert.equal(expected(DIVIDED_LINE), '\u22122');

    const rows = await treeRows(wb().page);
    const session = rows.find((r) => r.label === LAUNCH_NAME)!;
    assert.match(session.description, /^[\d,]+ allocs \([+\u2212±][\d,]+\) · [\d.]+ KiB · complete/);
    assert.match(rows.find((r) => r.label === 'baseline.json')!.description, / · baseline · /);
    const loopRow = rows.find((r) => r.description.startsWith(`main.go:${LOOP_LINE} `) && r.label.includes('('));
    assert.match(loopRow?.label ?? '', new RegExp(`^[\\d,]+ allocs \\(\\${expected(LOOP_LINE)}\\)`));
    console.log(`    tree: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} (${r.description})`).slice(0, 6).join(' | ')}`);
    console.log(`    screenshot: ${await wb().screenshot('compare-baseline')}`);
  });

  it('keeps the counts and the baseline across a window reload, marked as from an earlier window', async function () {
    const shown = await decorationsOf(wb().page, LOOP_LINE);
    // Kept counts are written within a second of a change.
    await wb().page.waitForTimeout(2000);
    await wb().page.reload();
    await wb().page.waitForSelector('.part.statusbar', { state: 'visible', timeout: 120_000 });
    await hidePanel();
    await wb().waitForEditorText('sinkB = make([]byte, 8)', 60_000).catch(async () => {
      await wb().openFile('main.go');
      await wb().waitForEditorText('sinkB = make([]byte, 8)');
    });
    const again = await waitForDecoration(wb().page, LOOP_LINE, (t) => t.includes('vs baseline'), 60_000);
    assert.deepEqual([again], shown);
    await openAllocations();
    const session = treeRow(wb().page, LAUNCH_NAME);
    await session.waitFor({ state: 'visible', timeout: 30_000 });
    const keptRow = /^[\d,]+ allocs \([+\u2212±][\d,]+\) · [\d.]+ KiB · complete · earlier session · run/;
    const kept = await waitForTreeRow(wb().page, LAUNCH_NAME, (d) => keptRow.test(d), 10_000);
    assert.match(kept.description, keptRow);
    const rows = await treeRows(wb().page);
    console.log(`    after reload: "${again}"; ${rows.filter((r) => r.level === 1).map((r) => `${r.label} (${r.description})`).join(' | ')}`);
    console.log(`    screenshot: ${await wb().screenshot('kept-after-reload')}`);
  });

  it('compares with the optimized build of the same program, then clears the baseline', async function () {
    await wb().runCommand('malloclens: Compare with Baseline…');
    await wb().pick('Optimized build', 'Optimized build of the same program');
    const optimized = treeRow(wb().page, /\(optimized build\)/);
    await optimized.waitFor({ state: 'visible', timeout: 180_000 });
    const rows = await treeRows(wb().page);
    const opt = rows.find((r) => /\(optimized build\)/.test(r.label))!;
    assert.match(opt.description, / · baseline · complete/);
    const loop = await waitForDecoration(wb().page, LOOP_LINE, (t) => t.includes('vs baseline'), 20_000);
    console.log(`    optimized baseline: line ${LOOP_LINE} "${loop}"; ${opt.label} (${opt.description})`);
    console.log(`    screenshot: ${await wb().screenshot('compare-optimized')}`);
    await wb().runCommand('malloclens: Clear Baseline');
    await waitForDecoration(wb().page, LOOP_LINE, (t) => !t.includes('vs baseline'), 20_000);
  });
});
