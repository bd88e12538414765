// Issue 11 in a real VS Code workbench (code-server + Chromium, see workbench.ts): what a new user
// tripped over, checked where they saw it. Every number comes from the CLI (`count --json`, with
// `--line` for a statement or a function's `func` line) run on the same files, or from `go build`'s
// own output for errors; the editor must show exactly that, with its scope.
//
// The workspace holds four folders: newuser (test/fixtures/newuser: a slice made on every call, a
// map that pays on its inserts), single (a file outside any module), broken (a type error) and
// syntax (a `make(` left open).
//
// MALLOCLENS_E2E_PACKAGE: use this .vsix instead of packaging one (`npm run package`).
// MALLOCLENS_E2E_ARTIFACTS: where screenshots and logs go (default test-artifacts/e2e).

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { formatAmount, formatScopedAmount } from '../../src/core/amountText';
import type { MallocReport } from '../../src/core/report';
import type { Amount, LineTally } from '../../src/core/tally';
import { codeLenses, decorationsOf, hoverText, lensLink, treeRow, treeRows, waitForDecoration, waitForLens } from './editorProbe';
import { startWorkbench, Workbench } from './workbench';

const execFileAsync = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');
const artifactsDir = resolve(process.env.MALLOCLENS_E2E_ARTIFACTS ?? join(repo, 'test-artifacts', 'e2e'));
const RUN_NAME = 'Count newuser';
// test/fixtures/newuser/main.go
const FUNC_LINE = 10; // func label(i int) []string {
const ITEMS_LINE = 11; // items := make([]string, 0, 3)
const TAGS_LINE = 17; // tags := make(map[string]int)
const INSERT_LINE = 19; // tags[strings.Join(label(i), "-")] = i

async function packageExtension(dir: string): Promise<string> {
  if (process.env.MALLOCLENS_E2E_PACKAGE) return resolve(process.env.MALLOCLENS_E2E_PACKAGE);
  const vsix = join(dir, 'malloclens.vsix');
  await execFileAsync('npm', ['run', '--silent', 'package', '--', '--out', vsix], { cwd: repo, timeout: 300_000 });
  return vsix;
}

/** The CLI's report: the whole run of `target`, or the statement (or function) at `file:line`. */
async function cliCount(cwd: string, target: string, line?: string): Promise<MallocReport> {
  const args = [join(repo, 'dist', 'cli.js'), 'count', '--json', ...(line ? ['--line', line] : []), target];
  const { stdout } = await execFileAsync(process.execPath, args, { cwd, timeout: 300_000, maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as MallocReport;
}

function lineOf(report: MallocReport, file: string, line: number): LineTally | undefined {
  return report.lines.find((l) => l.file === file && l.line === line);
}

describe('issue 11: what a new user trips over (code-server + Chromium)', function () {
  this.timeout(600_000);

  let workbench: Workbench | undefined;
  let temp: string;
  let ws: string;
  let main: string;
  let itemsOnce: MallocReport;
  let oneCall: MallocReport;
  let run: MallocReport;
  const wb = () => workbench as Workbench;
  const lineRowOf = (description: string) => wb().page.locator('[id="workbench.view.extension.malloclens"] .monaco-list .monaco-list-row', { has: wb().page.locator('.label-description', { hasText: description }) });

  before(async function () {
    temp = mkdtempSync(join(tmpdir(), 'malloclens-e2e-newuser-'));
    ws = join(temp, 'ws');
    for (const name of ['newuser', 'single', 'broken']) cpSync(join(repo, 'test', 'fixtures', name), join(ws, name), { recursive: true });
    renameSync(join(ws, 'broken', 'main.go'), join(ws, 'broken', 'broken.go'));
    mkdirSync(join(ws, 'syntax'));
    writeFileSync(join(ws, 'syntax', 'go.mod'), 'module syntax\n\ngo 1.19\n');
    // Its own file name: Quick Open picks by name, and main.go is taken.
    writeFileSync(join(ws, 'syntax', 'unclosed.go'), 'package main\n\nfunc main() {\n\tprintln("start")\n\tx := make(\n}\n');
    mkdirSync(join(ws, '.vscode'));
    writeFileSync(join(ws, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [
        { name: RUN_NAME, type: 'malloclens', request: 'launch', mode: 'auto', program: '${workspaceFolder}/newuser' },
      ],
    }, null, 2));
    main = join(ws, 'newuser', 'main.go');

    const vsix = await packageExtension(temp);
    itemsOnce = await cliCount(join(ws, 'newuser'), '.', `main.go:${ITEMS_LINE}`);
    oneCall = await cliCount(join(ws, 'newuser'), '.', `main.go:${FUNC_LINE}`);
    run = await cliCount(join(ws, 'newuser'), '.');
    workbench = await startWorkbench({ vsix, folder: ws, artifactsDir, settings: { 'malloclens.inlineCounts.style': 'after' } });
  });

  // A failed step must not leave a quick input or hover open for the next one.
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) {
      console.log(`    screenshot (failed): ${await wb().screenshot(`issue11-failed-${this.currentTest.title.slice(0, 20)}`)}`);
      await wb().page.keyboard.press('Escape');
      await wb().page.keyboard.press('Escape');
    }
  });

  after(async function () {
    await workbench?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('item 1: a statement count and a run on the same line each say their scope, side by side', async function () {
    await wb().openFile('newuser/main.go');
    await wb().waitForEditorText('items := make([]string, 0, 3)');
    await waitForLens(wb().page, ITEMS_LINE, (t) => t === 'count mallocs', 60_000);
    await lensLink(wb().page, 'count mallocs').first().click();
    const once = lineOf(itemsOnce, main, ITEMS_LINE)!;
    const lens = await waitForLens(wb().page, ITEMS_LINE, (t) => t.startsWith('count mallocs ·'), 120_000);
    assert.equal(lens.title, `count mallocs · ${formatScopedAmount(itemsOnce.total, 'line')}`);
    assert.equal(await waitForDecoration(wb().page, ITEMS_LINE, (t) => /alloc/.test(t), 10_000), formatScopedAmount(once, 'line'));

    await wb().runCommand('Debug: Select and Start Debugging');
    await wb().pick(RUN_NAME);
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 120_000 });
    const whole = lineOf(run, main, ITEMS_LINE)!;
    const both = `${formatScopedAmount(once, 'line')} — ${formatScopedAmount(whole, 'run')}`;
    const shown = await waitForDecoration(wb().page, ITEMS_LINE, (t) => t === both, 30_000);
    await wb().page.mouse.move(5, 5);
    console.log(`    line ${ITEMS_LINE}: "${shown}" (CLI: once ${once.count}, run ${whole.count})`);
    console.log(`    screenshot: ${await wb().screenshot('issue11-both-scopes')}`);

    const text = await hoverText(wb().page, ITEMS_LINE);
    assert.ok(text.includes(formatScopedAmount(whole, 'run')) && text.includes(formatScopedAmount(once, 'line')), `hover names both: ${text.slice(0, 200)}`);
    await wb().page.mouse.move(5, 5);
  });

  it('item 2: the hover of a map that allocated nothing says where its storage comes from and links the lines that paid', async function () {
    await lensLink(wb().page, 'count mallocs').nth(1).click();
    await waitForLens(wb().page, TAGS_LINE, (t) => t.startsWith('count mallocs ·'), 120_000);
    assert.equal(await waitForDecoration(wb().page, TAGS_LINE, (t) => /alloc/.test(t), 10_000), 'first run: 0 allocs');
    // The oracle: what the CLI's run counted on the insert line through the runtime's map insert.
    const insert = lineOf(run, main, INSERT_LINE)!;
    const paid = insert.paths.filter((p) => p.frames.some((f) => f.includes('mapassign'))).reduce<Amount>((a, p) => ({ count: a.count + p.count, bytes: a.bytes + p.bytes }), { count: 0, bytes: 0 });
    assert.ok(paid.count > 0, 'the run paid for the map on its insert line');

    const text = await hoverText(wb().page, TAGS_LINE);
    console.log(`    hover: ${text.replace(/\s+/g, ' ').slice(0, 500)}`);
    console.log(`    screenshot: ${await wb().screenshot('issue11-map-paid-by')}`);
    assert.match(text, /Nothing on the heap here\. The map does not escape/);
    assert.ok(text.includes(`Paid by the inserts into tags (${RUN_NAME}): main.go:${INSERT_LINE} ${formatAmount(paid)}`), text);
    await wb().page.locator('.monaco-hover:not(.hidden) a', { hasText: `main.go:${INSERT_LINE}` }).click();
    await wb().page.locator('.part.statusbar .statusbar-item', { hasText: `Ln ${INSERT_LINE}, Col 1` }).waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('item 4: the hover is a compact aligned table, escape analysis on top, paths folded', async function () {
    try {
      const text = await hoverText(wb().page, ITEMS_LINE);
      const hover = wb().page.locator('.monaco-hover:not(.hidden)').first();
      const box = (await hover.boundingBox())!;
      const editor = (await wb().page.locator('.editor-group-container.active .monaco-editor').first().boundingBox())!;
      console.log(`    hover ${Math.round(box.width)}×${Math.round(box.height)} px over an editor of ${Math.round(editor.width)}×${Math.round(editor.height)}`);
      console.log(`    screenshot: ${await wb().screenshot('issue11-hover-layout')}`);
      // The newest source on this line is the run, with the statement's count below it.
      assert.ok(text.indexOf('run: ') < text.indexOf('Call paths'));
      assert.ok(box.height < editor.height * 0.6, 'the hover leaves most of the file in view');
      await wb().page.mouse.move(5, 5);

      // The statement count of the map line carries the compiler's verdict: it comes first, the table in a monospace block.
      const map = await hoverText(wb().page, TAGS_LINE);
      assert.ok(map.indexOf('Escape analysis') >= 0 && map.indexOf('Escape analysis') < map.indexOf('Swiss map'), map.slice(0, 300));
      const table = await wb().page.evaluate(() => {
        const g = globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<{ textContent: string | null; children: ArrayLike<unknown> }> }; getComputedStyle(e: unknown): { fontFamily: string } };
        const all = g.document.querySelectorAll('.monaco-hover:not(.hidden) .rendered-markdown *');
        // The innermost element holding the header row: where the font is set.
        let found: { text: string; font: string } | undefined;
        for (let i = 0; i < all.length; i++) {
          const t = all[i].textContent ?? '';
          if (/^part\s+allocs\s+bytes/.test(t.trim())) found = { text: t, font: g.getComputedStyle(all[i]).fontFamily };
        }
        return found;
      });
      console.log(`    table: ${JSON.stringify(table)}`);
      assert.ok(table && /mono|courier|consol|menlo|droid sans mono/i.test(table.font), 'the parts are an aligned table in a monospace block');
    } finally {
      await wb().page.mouse.move(5, 5);
      await wb().page.keyboard.press('Escape');
    }
  });

  it('item 3: the tree leads with counts, and tells runs apart by number, start, engine and state', async function () {
    // The same program counted again (the Run and Debug view's start button runs the selected
    // configuration), and once more stopped at its entry and ended there by the user.
    await wb().page.locator('.part.sidebar [aria-label^="Start Debugging"]').first().click();
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 60_000 }).catch(() => undefined);
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 120_000 });
    await wb().runCommand('Debug: Start Debugging and Stop on Entry');
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 120_000 });
    // Stopped at the program's entry (the call stack says so); then the user stops the session.
    await wb().page.getByText(/paused on entry/i).first().waitFor({ state: 'visible', timeout: 30_000 });
    await wb().page.locator('.debug-toolbar [aria-label^="Stop"]').first().click();
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 60_000 });

    await wb().page.locator('.activitybar .action-item a[aria-label^="malloclens"]').click();
    await treeRow(wb().page, `${RUN_NAME} #3`).waitFor({ state: 'visible', timeout: 30_000 });
    const whole = lineOf(run, main, ITEMS_LINE)!;
    // The newest run stopped before any line of main.go: open the complete one before it.
    await treeRow(wb().page, `${RUN_NAME} #2`).locator('.monaco-tl-twistie').click();
    await treeRow(wb().page, /^newuser\/main\.go$/).first().waitFor({ state: 'visible', timeout: 10_000 });
    const file = treeRow(wb().page, /^newuser\/main\.go$/).first();
    if ((await file.getAttribute('aria-expanded')) === 'false') await file.locator('.monaco-tl-twistie').click();
    await lineRowOf(`main.go:${ITEMS_LINE}  items := make([]string, 0, 3)`).first().waitFor({ state: 'visible', timeout: 10_000 });
    const rows = await treeRows(wb().page);
    console.log(`    rows: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} (${r.description})`).join(' | ')}`);
    console.log(`    screenshot: ${await wb().screenshot('issue11-tree')}`);
    const sessions = rows.filter((r) => r.level === 1);
    const byLabel = (label: string) => sessions.find((r) => r.label === label);
    assert.match(byLabel(`${RUN_NAME} #3`)?.description ?? '', / · stopped early · run · \d\d:\d\d:\d\d · fast mode$/);
    assert.match(byLabel(`${RUN_NAME} #2`)?.description ?? '', / · complete · run · \d\d:\d\d:\d\d · fast mode$/);
    assert.match(byLabel(`${RUN_NAME} #1`)?.description ?? '', / · complete · run · /);
    assert.ok(sessions.some((r) => r.label === 'main.go:11 · make([]string, 0, 3)' && / · complete · first run · /.test(r.description)));
    const itemRow = rows.find((r) => r.description === `main.go:${ITEMS_LINE}  items := make([]string, 0, 3)` && r.label.startsWith('run') === false && !r.label.startsWith('first run'));
    assert.ok(itemRow?.label.startsWith(`${formatAmount(whole)} · `), `run line row leads with count and share: ${itemRow?.label}`);
  });

  it('item 6: "count one call" above a function counts its first call, as count --line on its func line does', async function () {
    await wb().openFile('newuser/main.go');
    await waitForLens(wb().page, FUNC_LINE, (t) => t === 'count one call', 30_000);
    await lensLink(wb().page, 'count one call').first().click();
    const lens = await waitForLens(wb().page, FUNC_LINE, (t) => t.startsWith('count one call ·'), 120_000);
    console.log(`    lens "${lens.title}", CLI ${oneCall.total.count} allocs`);
    assert.equal(lens.title, `count one call · ${formatScopedAmount(oneCall.total, 'line')}`);
  });

  it('items 5 and 6: a file outside any module counts from the editor context menu, as dlv debug file.go builds it', async function () {
    const file = join(ws, 'single', 'hello.go');
    const expected = await cliCount(join(ws, 'single'), 'hello.go', 'hello.go:9');
    await wb().openFile('single/hello.go');
    await wb().waitForEditorText('sink = map[string]int{"a": 1}');
    await rightClickLine(9);
    const item = menuItem('Count Mallocs of This Statement');
    await wb().page.locator('.context-view .action-item', { hasText: 'Count Mallocs of This Statement' }).waitFor({ state: 'visible', timeout: 10_000 });
    console.log(`    screenshot: ${await wb().screenshot('issue11-context-menu')}`);
    await item.click();
    const shown = await waitForDecoration(wb().page, 9, (t) => /alloc/.test(t), 120_000);
    assert.equal(shown, formatScopedAmount(lineOf(expected, file, 9) ?? { count: 0, bytes: 0 }, 'line'));
  });

  it('item 5: a build error is a Problems entry at its line; a make( that does not parse says so on its lens', async function () {
    const { stderr } = await execFileAsync('go', ['build', '-o', '/dev/null', '.'], { cwd: join(ws, 'broken') }).catch((e: { stderr: string }) => e);
    const first = /^(?:\.\/)?broken\.go:(\d+):\d+: (.+)$/m.exec(stderr)!;
    await wb().openFile('broken/broken.go');
    await wb().waitForEditorText('undefinedThing');
    await rightClickLine(Number(first[1]));
    await menuItem('Count Mallocs of This Statement').click();
    const toast = wb().page.locator('.notifications-toasts .notification-toast', { hasText: 'cannot build the program' });
    await toast.waitFor({ state: 'visible', timeout: 60_000 });
    assert.ok(((await toast.textContent()) ?? '').includes(`broken.go:${first[1]}: ${first[2]}`), 'the toast names the first error in one line');
    await toast.getByRole('button', { name: 'Show Problems' }).click();
    const entry = wb().page.locator('.markers-panel .monaco-list-row', { hasText: first[2] });
    await entry.first().waitFor({ state: 'visible', timeout: 15_000 });
    console.log(`    problem: ${(await entry.first().textContent())?.trim()}`);
    console.log(`    screenshot: ${await wb().screenshot('issue11-problems')}`);
    assert.match((await entry.first().textContent()) ?? '', new RegExp(`\\[Ln ${first[1]}, Col \\d+\\]`));
    await wb().runCommand('Notifications: Clear All Notifications');

    await wb().openFile('syntax/unclosed.go');
    await wb().waitForEditorText('x := make(');
    const lens = await waitForLens(wb().page, 5, (t) => t.startsWith('count mallocs'), 30_000);
    console.log(`    lens: "${lens.title}"`);
    assert.equal(lens.title, 'count mallocs: unavailable — line 5 does not parse');
    assert.deepEqual((await codeLenses(wb().page)).map((l) => l.title), ['count one call', 'count mallocs: unavailable — line 5 does not parse']);
    assert.deepEqual(await decorationsOf(wb().page, 5), []);
  });

  /** A context-menu entry, once the menu has settled (a click right after it opens is ignored). */
  function menuItem(text: string) {
    const item = wb().page.locator('.context-view .action-item', { hasText: text });
    return {
      click: async () => {
        await item.waitFor({ state: 'visible', timeout: 10_000 });
        await wb().page.waitForTimeout(500);
        await item.click();
      },
    };
  }

  async function rightClickLine(line: number): Promise<void> {
    // Place the cursor on the line (Ctrl+G), then open the context menu where it stands.
    await wb().page.keyboard.press('Control+G');
    const input = wb().page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.pressSequentially(`${line}`);
    await input.press('Enter');
    await wb().page.locator('.part.statusbar .statusbar-item', { hasText: `Ln ${line},` }).waitFor({ state: 'visible', timeout: 10_000 });
    const cursor = (await wb().page.locator('.editor-group-container.active .monaco-editor .cursor').first().boundingBox())!;
    await wb().page.mouse.click(cursor.x + 2, cursor.y + cursor.height / 2, { button: 'right' });
  }
});
