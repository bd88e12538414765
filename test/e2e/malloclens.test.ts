// The packaged extension in a real VS Code workbench (code-server + Chromium, see workbench.ts),
// on a copy of examples/experiment: the "count mallocs" lens, inline counts, the hover's map
// anatomy, a debug run under the `malloclens` debug type, and the allocation tree. Expected
// numbers come from the CLI (`malloclens count --json`) run on the same folder: the editor must
// show exactly what the CLI measures.
//
// MALLOCLENS_E2E_PACKAGE: use this .vsix instead of packaging one (`npm run package`).
// (MALLOCLENS_E2E_VSIX belongs to the harness smoke test, which needs another extension.)
// MALLOCLENS_E2E_ARTIFACTS: where screenshots and logs go (default test-artifacts/e2e).

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { formatAmount, formatScopedAmount } from '../../src/core/amountText';
import { formatBytes } from '../../src/core/format';
import { layoutForGo } from '../../src/core/mapAnatomy';
import type { MallocReport } from '../../src/core/report';
import type { LineTally } from '../../src/core/tally';
import { codeLenses, decorationsOf, hoverText, lensLink, treeRow, TreeRow, treeRows, waitForDecoration, waitForLens, waitForTreeRows } from './editorProbe';
import { startWorkbench, Workbench } from './workbench';

const execFileAsync = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');
const artifactsDir = resolve(process.env.MALLOCLENS_E2E_ARTIFACTS ?? join(repo, 'test-artifacts', 'e2e'));
const MAP_LINE = 6;
const MAKE_LINES = [6, 7, 8, 9];
const LAUNCH_NAME = 'Count the experiment';
const GO_LAUNCH_NAME = 'Go: Launch experiment';

async function packageExtension(dir: string): Promise<string> {
  if (process.env.MALLOCLENS_E2E_PACKAGE) return resolve(process.env.MALLOCLENS_E2E_PACKAGE);
  const vsix = join(dir, 'malloclens.vsix');
  await execFileAsync('npm', ['run', '--silent', 'package', '--', '--out', vsix], { cwd: repo, timeout: 300_000 });
  return vsix;
}

/** The CLI's report for the folder (whole run, or the statement at `line`). */
async function cliCount(folder: string, line?: number): Promise<MallocReport> {
  const args = [join(repo, 'dist', 'cli.js'), 'count', '--json', ...(line ? ['--line', `main.go:${line}`] : []), '.'];
  const { stdout } = await execFileAsync(process.execPath, args, { cwd: folder, timeout: 300_000, maxBuffer: 64 << 20 });
  return JSON.parse(stdout) as MallocReport;
}

function lineOf(report: MallocReport, folder: string, line: number): LineTally | undefined {
  return report.lines.find((l) => l.file === join(folder, 'main.go') && l.line === line);
}

describe('malloclens in a real VS Code (code-server + Chromium)', function () {
  // Packaging, two CLI counts and starting the workbench take a minute or two on two cores.
  this.timeout(600_000);

  let workbench: Workbench | undefined;
  let temp: string;
  let folder: string;
  let statement: MallocReport;
  let run: MallocReport;

  before(async function () {
    temp = mkdtempSync(join(tmpdir(), 'malloclens-e2e-suite-'));
    folder = join(temp, 'experiment');
    cpSync(join(repo, 'examples', 'experiment'), folder, { recursive: true });
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [
        { name: LAUNCH_NAME, type: 'malloclens', request: 'launch', mode: 'auto', program: '${workspaceFolder}' },
        // Written for the Go extension (not installed here): malloclens runs it unchanged.
        { name: GO_LAUNCH_NAME, type: 'go', request: 'launch', mode: 'auto', program: '${workspaceFolder}', env: { EXPERIMENT: '1' } },
      ],
    }, null, 2));

    const vsix = await packageExtension(temp);
    statement = await cliCount(folder, MAP_LINE);
    run = await cliCount(folder);
    workbench = await startWorkbench({ vsix, folder, artifactsDir, settings: { 'malloclens.inlineCounts.style': 'after' } });
  });

  after(async function () {
    await workbench?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  const wb = () => workbench as Workbench;
  /** Line rows lead with their count; they are found by their location and code. */
  const lineRowOf = (description: string) => wb().page.locator('[id="workbench.view.extension.malloclens"] .monaco-list .monaco-list-row', { has: wb().page.locator('.label-description', { hasText: description }) });

  async function waitForNoDecoration(line: number): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if ((await decorationsOf(wb().page, line))?.length === 0) return;
      await wb().page.waitForTimeout(250);
    }
    assert.fail(`line ${line} still shows ${JSON.stringify(await decorationsOf(wb().page, line))}`);
  }

  it('shows "count mallocs" above each make(...) statement, and "count one call" above the function', async function () {
    await wb().openFile('main.go');
    await wb().waitForEditorText('_ = make(map[int]int, 1000)');
    await waitForLens(wb().page, MAKE_LINES[MAKE_LINES.length - 1], (t) => t === 'count mallocs', 60_000);
    const lenses = await codeLenses(wb().page);
    assert.deepEqual(lenses, [{ line: 5, title: 'count one call' }, ...MAKE_LINES.map((line) => ({ line, title: 'count mallocs' }))]);
  });

  it('counts the map statement from its lens: the inline text equals the CLI\'s count for that line', async function () {
    const expectedLine = lineOf(statement, folder, MAP_LINE);
    assert.ok(expectedLine && expectedLine.count > 0, `the CLI counted no allocation on line ${MAP_LINE}`);
    const expected = formatScopedAmount(expectedLine, 'line');

    // The lenses are in line order; the first stands above the map line.
    await lensLink(wb().page, 'count mallocs').first().click();
    const lens = await waitForLens(wb().page, MAP_LINE, (t) => t.startsWith('count mallocs ·'), 120_000);
    const inline = await waitForDecoration(wb().page, MAP_LINE, (t) => /alloc/.test(t), 10_000);
    await wb().page.mouse.move(5, 5);
    console.log(`    line ${MAP_LINE}: inline "${inline}", lens "${lens.title}", CLI ${expectedLine.count} allocs, ${expectedLine.bytes} bytes`);
    console.log(`    screenshot: ${await wb().screenshot('count-mallocs-lens')}`);

    assert.equal(inline, expected);
    assert.equal(lens.title, `count mallocs · ${formatScopedAmount(statement.total, 'line')}`);
    const status = wb().page.locator('.part.statusbar .statusbar-item', { hasText: formatAmount(statement.total) });
    assert.equal(await status.count(), 1, 'the status bar shows the newest count');
    for (const line of MAKE_LINES.slice(1)) {
      assert.deepEqual(await decorationsOf(wb().page, line), [], `line ${line} was not counted and shows nothing`);
    }
  });

  it('counts a statement that allocates nothing as "0 allocs", as the CLI does', async function () {
    const line = 7; // _ = make([]int, 1000): does not escape, so no heap allocation in a debug build
    const cli = await cliCount(folder, line);
    const expected = formatScopedAmount(lineOf(cli, folder, line) ?? { count: 0, bytes: 0 }, 'line');
    await lensLink(wb().page, 'count mallocs').nth(1).click();
    await waitForLens(wb().page, line, (t) => t.startsWith('count mallocs ·'), 120_000);
    assert.equal(await waitForDecoration(wb().page, line, (t) => /alloc/.test(t), 10_000), expected);
    assert.deepEqual(await decorationsOf(wb().page, MAP_LINE), [formatScopedAmount(lineOf(statement, folder, MAP_LINE)!, 'line')], 'the map line keeps its count');
  });

  it('says when Delve is missing and offers to install it instead of installing', async function () {
    const settingsFile = join(folder, '.vscode', 'settings.json');
    writeFileSync(settingsFile, JSON.stringify({ 'malloclens.dlvPath': '/nonexistent/dlv' }));
    try {
      // Settings reach the extension host through the workspace watcher; retry the lens until they have.
      const toast = wb().page.locator('.notifications-toasts .notification-toast', { hasText: 'Delve not found at /nonexistent/dlv' });
      for (let attempt = 0; attempt < 10 && !(await toast.isVisible()); attempt++) {
        await lensLink(wb().page, 'count mallocs').last().click();
        await toast.waitFor({ state: 'visible', timeout: 5_000 }).catch(() => undefined);
      }
      await toast.waitFor({ state: 'visible', timeout: 5_000 });
      assert.equal(await toast.getByRole('button', { name: 'Install Delve' }).count(), 1);
      // The question waits for the user; the lens does not spin meanwhile.
      await waitForLens(wb().page, MAKE_LINES[MAKE_LINES.length - 1], (t) => t.startsWith('count mallocs'), 15_000);
      console.log(`    screenshot: ${await wb().screenshot('delve-missing')}`);
      await wb().runCommand('Notifications: Clear All Notifications');
    } finally {
      writeFileSync(settingsFile, '{}');
    }
  });

  it('hovers the counted map line with its anatomy', async function () {
    const expectedLine = lineOf(statement, folder, MAP_LINE)!;
    const text = await hoverText(wb().page, MAP_LINE);
    console.log(`    hover: ${text.replace(/\s+/g, ' ').slice(0, 400)}`);
    console.log(`    screenshot: ${await wb().screenshot('hover-anatomy')}`);

    assert.ok(text.includes(formatAmount(expectedLine)), 'count and bytes');
    assert.ok(text.includes('first execution of this statement'), 'the scope');
    if (layoutForGo(statement.go) === 'swiss') {
      assert.match(text, /Swiss map/);
      // make(map[int]int, 1000) that does not escape: the Map header stays on the stack; a
      // directory, tables and their group arrays go to the heap.
      for (const part of ['directory', 'table', 'groups']) assert.match(text, new RegExp(`\\b${part}\\b`), part);
      assert.match(text, /Map\s*0\s*—\s*header, maps\.Map · not on the heap/);
      const groups = expectedLine.paths.filter((p) => p.frames.includes('maps.newGroups'));
      const groupBytes = groups.reduce((n, p) => n + p.bytes, 0);
      assert.ok(text.includes(formatBytes(groupBytes)), `group arrays' bytes (${formatBytes(groupBytes)})`);
    } else {
      assert.match(text, /Classic map \(hmap\)/);
      assert.match(text, /\bbuckets\b/);
    }
    assert.match(text, /runtime\.makemap/, 'the main call path');
    // The compiler's verdict beside the measurement: the map "does not escape", yet allocates.
    assert.match(text, /Escape analysis \(-gcflags=-m\): make\(map\[int\]int, 1000\) does not escape/);
    assert.match(text, /Measured otherwise: nothing escapes by the compiler's account, yet the statement allocated/);
    await wb().page.mouse.move(5, 5);
  });

  it('debugs the program under the malloclens debug type and decorates the allocating lines', async function () {
    await wb().runCommand('malloclens: Clear All Counts');
    await waitForLens(wb().page, MAP_LINE, (t) => t === 'count mallocs', 10_000);
    assert.deepEqual(await decorationsOf(wb().page, MAP_LINE), [], 'cleared');

    const expectedLine = lineOf(run, folder, MAP_LINE);
    assert.ok(expectedLine, `the CLI's run counted nothing on line ${MAP_LINE}`);
    // As a person would: pick the launch.json configuration (F5 would reload the browser page).
    await wb().runCommand('Debug: Select and Start Debugging');
    await wb().pick(LAUNCH_NAME);
    const inline = await waitForDecoration(wb().page, MAP_LINE, (t) => /alloc/.test(t), 120_000);
    // The program is short: wait for its end (the debug toolbar goes away) and the final tally.
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 60_000 });
    const final = await waitForDecoration(wb().page, MAP_LINE, (t) => t === formatScopedAmount(expectedLine, 'run'), 10_000);
    // Delve's own output reaches the Debug Console, as with the Go extension.
    await wb().page.locator('.repl', { hasText: 'has exited with status 0' }).waitFor({ state: 'visible', timeout: 10_000 });
    console.log(`    line ${MAP_LINE}: live "${inline}", final "${final}", CLI run ${expectedLine.count} allocs`);
    console.log(`    screenshot: ${await wb().screenshot('debug-run')}`);

    for (const line of MAKE_LINES) {
      const cli = lineOf(run, folder, line);
      assert.deepEqual(await decorationsOf(wb().page, line), cli ? [formatScopedAmount(cli, 'run')] : [], `line ${line}`);
    }
  });

  it('lists session → file → line → parts in the allocation tree', async function () {
    await wb().page.locator('.activitybar .action-item a[aria-label^="malloclens"]').click();
    await treeRow(wb().page, LAUNCH_NAME).waitFor({ state: 'visible', timeout: 30_000 });
    const expectedLine = lineOf(run, folder, MAP_LINE)!;
    const lineRow = lineRowOf(`main.go:${MAP_LINE}  _ = make(map[int]int, 1000)`);
    await lineRow.waitFor({ state: 'visible', timeout: 10_000 });
    await lineRow.locator('.monaco-tl-twistie').click();
    await treeRow(wb().page, 'groups').waitFor({ state: 'visible', timeout: 10_000 });

    const rows = await treeRows(wb().page);
    console.log(`    rows: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} (${r.description})`).join(' | ')}`);
    console.log(`    screenshot: ${await wb().screenshot('allocation-tree')}`);

    const at = (label: string) => rows.find((r) => r.label === label);
    const count = (description = '') => Number(/^([\d,]+) alloc/.exec(description)?.[1].replace(/,/g, ''));
    // The whole run's total includes the runtime's own start-up, which depends on the process's
    // environment (Delve's debug build vs the CLI's): only the lines must match the CLI.
    const session = at(LAUNCH_NAME);
    assert.deepEqual({ ...session, description: undefined }, { label: LAUNCH_NAME, description: undefined, level: 1, expanded: true });
    assert.match(session!.description, / · complete · run · \d\d:\d\d:\d\d · fast mode$/, 'scope, state, start and engine');
    assert.deepEqual(at('main.go'), { label: 'main.go', description: formatAmount(expectedLine), level: 2, expanded: true });
    // The count (and share of the run) first, then where, then the code.
    const lineDescription = `main.go:${MAP_LINE}  _ = make(map[int]int, 1000)`;
    const mapRow = rows.find((r) => r.description === lineDescription);
    assert.ok(mapRow?.label.startsWith(`${formatAmount(expectedLine)} · `), `line row label: ${mapRow?.label}`);
    assert.deepEqual({ ...mapRow, label: undefined }, { label: undefined, description: lineDescription, level: 3, expanded: true });
    // Under the line: who called it (main.main, from runtime.main), then the map's parts.
    const parts = rows.filter((r) => r.level === 4).map((r) => r.label).sort();
    assert.deepEqual(parts, ['called from', ...(layoutForGo(run.go) === 'swiss' ? ['directory', 'groups', 'table'] : ['buckets', 'hmap + mapextra'])]);
    assert.equal(count(at('outside your code')?.description), count(session?.description) - expectedLine.count, 'the rest of the run is outside your code');

    // Clicking a row reveals its line.
    await treeRow(wb().page, 'directory').click();
    await wb().page.locator('.part.statusbar .statusbar-item', { hasText: `Ln ${MAP_LINE}, Col 1` }).waitFor({ state: 'visible', timeout: 10_000 });
  });

  it('runs a "type": "go" launch configuration through malloclens unchanged', async function () {
    const expected = formatScopedAmount(lineOf(run, folder, MAP_LINE)!, 'run');
    await wb().runCommand('malloclens: Debug Go Launch Configuration with malloclens');
    await wb().pick(GO_LAUNCH_NAME);
    const session = treeRow(wb().page, `${GO_LAUNCH_NAME} (malloclens)`);
    await session.waitFor({ state: 'visible', timeout: 120_000 });
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 60_000 });
    await waitForDecoration(wb().page, MAP_LINE, (t) => t === expected, 20_000);
    const sessions = (rows: TreeRow[]) => rows.filter((r) => r.level === 1).map((r) => [r.label, r.expanded]);
    const wanted = [[`${GO_LAUNCH_NAME} (malloclens)`, true], [LAUNCH_NAME, true]];
    // The view redraws as the session's last report arrives: wait for a whole drawing.
    const rows = await waitForTreeRows(wb().page, (r) => sessions(r).length === wanted.length, 10_000, 'two sessions in the tree').catch(() => treeRows(wb().page));
    console.log(`    sessions: ${rows.filter((r) => r.level === 1).map((r) => `${r.label} (${r.description})`).join(' | ')}`);
    assert.deepEqual(sessions(rows), wanted, 'newest session first, open');
  });

  it('follows the inline-count settings: style, toggle, minimum share', async function () {
    const expected = formatScopedAmount(lineOf(run, folder, MAP_LINE)!, 'run');
    // Workspace settings, as a person would edit .vscode/settings.json (code-server watches the
    // workspace; its watcher on the user settings file did not report changes here).
    const settingsFile = join(folder, '.vscode', 'settings.json');
    const setSettings = (changes: Record<string, unknown>) => {
      const current = existsSync(settingsFile) ? (JSON.parse(readFileSync(settingsFile, 'utf8')) as Record<string, unknown>) : {};
      writeFileSync(settingsFile, JSON.stringify({ ...current, ...changes }, null, 2));
    };

    // A fixed-width column before the code; uncounted lines get an empty cell of the same width.
    setSettings({ 'malloclens.inlineCounts.style': 'before' });
    await waitForDecoration(wb().page, MAP_LINE + 1, (t) => t.trim() === '', 30_000);
    assert.deepEqual(await decorationsOf(wb().page, MAP_LINE), [expected]);
    console.log(`    screenshot: ${await wb().screenshot('inline-before-style')}`);

    await wb().runCommand('malloclens: Toggle Inline Allocation Counts');
    await waitForNoDecoration(MAP_LINE);
    await wb().runCommand('malloclens: Toggle Inline Allocation Counts');
    await waitForDecoration(wb().page, MAP_LINE, (t) => t === expected, 10_000);

    // The map line has a few percent of the run's allocations: under a 50% minimum it is noise.
    setSettings({ 'malloclens.inlineCounts.style': 'after', 'malloclens.inlineCounts.minimumShare': 50 });
    await waitForNoDecoration(MAP_LINE);
    setSettings({ 'malloclens.inlineCounts.minimumShare': 0 });
    await waitForDecoration(wb().page, MAP_LINE, (t) => t === expected, 30_000);
  });

  it('shows lens, inline count, hover and tree together (the README\'s screenshot)', async function () {
    await wb().runCommand('malloclens: Clear All Counts');
    await waitForLens(wb().page, MAP_LINE, (t) => t === 'count mallocs', 10_000);
    await lensLink(wb().page, 'count mallocs').first().click();
    await waitForLens(wb().page, MAP_LINE, (t) => t.startsWith('count mallocs ·'), 120_000);
    const lineRow = lineRowOf(`main.go:${MAP_LINE}  _ = make(map[int]int, 1000)`);
    await lineRow.waitFor({ state: 'visible', timeout: 10_000 });
    await lineRow.locator('.monaco-tl-twistie').click();
    await treeRow(wb().page, 'groups').waitFor({ state: 'visible', timeout: 10_000 });
    await wb().runCommand('View: Hide Panel');
    await hoverText(wb().page, MAP_LINE);
    console.log(`    screenshot: ${await wb().screenshot('readme')}`);
  });
});
