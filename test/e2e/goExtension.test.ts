// The Go extension's own debug sessions, counted: the real Go extension (vendored .vsix, built
// from golang/vscode-go) and the packaged malloclens in code-server, a plain `"type": "go"` launch
// configuration, and malloclens's command pointing go.alternateTools.dlv at its compiled launcher.
// A person's session: breakpoint, Step Over, an expression in the Debug Console, Continue to the
// end; the inline counts and the Allocations view must equal the CLI's counts, and the Go
// extension must not ask for its dlv to be "recompiled" (as it does for a shell-script launcher,
// which the test shows first, so that the notification check is known to see the warning).
//
// The Go extension runs without gopls (go.useLanguageServer: false): building gopls takes minutes
// and needs the module proxy, and the language server plays no part in debugging or in the tool
// check (which covers dlv either way).
//
// MALLOCLENS_E2E_PACKAGE: use this malloclens .vsix instead of packaging one.
// MALLOCLENS_GO_EXTENSION_DIR: where golang.go-*.vsix and vscgo are (default ../shared/vendor/vscode-go beside the repository).

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { formatAmount, formatScopedAmount } from '../../src/core/amountText';
import type { MallocReport } from '../../src/core/report';
import type { LineTally } from '../../src/core/tally';
import { evaluateInDebugConsole, notificationMessages, waitForPausedLine } from './debugProbe';
import { decorationsOf, treeRow, treeRows, waitForDecoration } from './editorProbe';
import { startWorkbench, Workbench } from './workbench';

const execFileAsync = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');
const artifactsDir = resolve(process.env.MALLOCLENS_E2E_ARTIFACTS ?? join(repo, 'test-artifacts', 'e2e'), 'go-extension');
const goExtensionDir = resolve(process.env.MALLOCLENS_GO_EXTENSION_DIR ?? resolve(__dirname, '../../../../shared/vendor/vscode-go'));
const MAP_LINE = 6;
const MAKE_LINES = [6, 7, 8, 9];
const LAUNCH_NAME = 'Launch experiment (Go extension)';
const RECOMPILE = /need recompiling/;

async function packageExtension(dir: string): Promise<string> {
  if (process.env.MALLOCLENS_E2E_PACKAGE) return resolve(process.env.MALLOCLENS_E2E_PACKAGE);
  const vsix = join(dir, 'malloclens.vsix');
  await execFileAsync('npm', ['run', '--silent', 'package', '--', '--out', vsix], { cwd: repo, timeout: 300_000 });
  return vsix;
}

function goExtensionVsix(): string {
  const vsix = existsSync(goExtensionDir) ? readdirSync(goExtensionDir).find((f) => /^golang\.go-.*\.vsix$/.test(f)) : undefined;
  if (!vsix) throw new Error(`no golang.go-*.vsix in ${goExtensionDir} (set MALLOCLENS_GO_EXTENSION_DIR)`);
  return join(goExtensionDir, vsix);
}

function lineOf(report: MallocReport, folder: string, line: number): LineTally | undefined {
  return report.lines.find((l) => l.file === join(folder, 'main.go') && l.line === line);
}

describe('the Go extension\'s debug sessions, counted by malloclens (code-server + Chromium)', function () {
  this.timeout(900_000);

  let workbench: Workbench | undefined;
  let temp: string;
  let folder: string;
  let cli: MallocReport;
  let quietMs = 0;
  let launcher = '';

  before(async function () {
    temp = mkdtempSync(join(tmpdir(), 'malloclens-e2e-go-'));
    folder = join(temp, 'experiment');
    cpSync(join(repo, 'examples', 'experiment'), folder, { recursive: true });
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [{ name: LAUNCH_NAME, type: 'go', request: 'launch', mode: 'auto', program: '${workspaceFolder}' }],
    }, null, 2));

    // The launcher malloclens used to write: a script, which has no Go build info.
    const script = join(temp, 'dlv-script');
    writeFileSync(script, `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(join(repo, 'dist', 'cli.js'))} "$@"\n`);
    chmodSync(script, 0o755);

    const vsix = await packageExtension(temp);
    const report = join(temp, 'cli.json');
    await execFileAsync(process.execPath, [join(repo, 'dist', 'cli.js'), 'count', '--json', '-o', report, '.'], { cwd: folder, timeout: 300_000 });
    cli = JSON.parse(readFileSync(report, 'utf8')) as MallocReport;

    workbench = await startWorkbench({
      vsix: [goExtensionVsix(), vsix],
      folder,
      artifactsDir,
      settings: {
        'malloclens.inlineCounts.style': 'after',
        'go.useLanguageServer': false,
        'go.toolsManagement.checkForUpdates': 'local',
        'go.toolsManagement.autoUpdate': false,
        'go.survey.prompt': false,
        'go.showWelcome': false,
        'go.alternateTools': { dlv: script },
      },
      // The Go extension's telemetry helper: without it the extension runs `go install …vscgo@master`.
      beforeStart: ({ extensionsDir }) => {
        const dir = readdirSync(extensionsDir).find((d) => d.startsWith('golang.go-'));
        if (!dir) throw new Error(`the Go extension is not in ${extensionsDir}`);
        mkdirSync(join(extensionsDir, dir, 'bin'), { recursive: true });
        copyFileSync(join(goExtensionDir, 'vscgo'), join(extensionsDir, dir, 'bin', 'vscgo'));
        chmodSync(join(extensionsDir, dir, 'bin', 'vscgo'), 0o755);
      },
    });
  });

  after(async function () {
    await workbench?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  const wb = () => workbench as Workbench;
  const toast = (text: RegExp | string) => wb().page.locator('.notifications-toasts .notification-toast', { hasText: text });

  it('control: with a shell-script dlv, the Go extension warns that it needs recompiling', async function () {
    const opened = Date.now();
    // The Go extension activates on the first Go file and checks its tools right away.
    await wb().openFile('main.go');
    await toast(RECOMPILE).waitFor({ state: 'visible', timeout: 90_000 });
    const tookMs = Date.now() - opened;
    // Waiting this long later, with the warning absent, says something.
    quietMs = Math.max(20_000, 3 * tookMs);
    console.log(`    warning after ${tookMs} ms: ${(await toast(RECOMPILE).locator('.notification-list-item-message').textContent())?.trim()}`);
    console.log(`    screenshot: ${await wb().screenshot('script-dlv-warning')}`);
    // The notification center lists it too: the reading the last test relies on sees it.
    await wb().runCommand('Notifications: Show Notifications');
    await wb().page.locator('.notifications-center').waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal((await notificationMessages(wb().page)).filter((m) => RECOMPILE.test(m)).length, 1);
    await wb().runCommand('Notifications: Clear All Notifications');
  });

  it('points go.alternateTools.dlv at the compiled launcher through the malloclens command', async function () {
    await wb().runCommand('malloclens: Count Allocations in Go Extension Debug Sessions');
    const dialog = wb().page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible', timeout: 15_000 });
    console.log(`    screenshot: ${await wb().screenshot('use-in-go-sessions-dialog')}`);
    await dialog.getByRole('button', { name: 'This Workspace' }).click();
    await toast('Go debug sessions now count allocations').waitFor({ state: 'visible', timeout: 180_000 });

    const settings = JSON.parse(readFileSync(join(folder, '.vscode', 'settings.json'), 'utf8')) as { 'go.alternateTools'?: { dlv?: string } };
    launcher = settings['go.alternateTools']?.dlv ?? '';
    assert.match(launcher, /\/globalStorage\/[^/]*malloclens[^/]*\/bin\/dlv$/i, launcher);
    const localGo = (await execFileAsync('go', ['env', 'GOVERSION'], { env: { ...process.env, GOTOOLCHAIN: 'local' } })).stdout.trim();
    const { stdout } = await execFileAsync('go', ['version', '-m', launcher]);
    assert.equal(stdout.split('\n')[0], `${launcher}: ${localGo}`, 'built with the Go the Go extension compares against');
    await wb().runCommand('Notifications: Clear All Notifications');
  });

  it('after a reload, the Go extension starts with the launcher and says nothing about recompiling', async function () {
    // The Go extension checks its tools when it activates: a new window (here: the page reloaded,
    // which starts a new extension host) is where the launcher is looked at.
    const installed = statSync(launcher).ino;
    await wb().page.reload();
    await wb().page.waitForSelector('.monaco-workbench', { timeout: 120_000 });
    await wb().page.waitForSelector('.part.statusbar', { state: 'visible', timeout: 120_000 });
    // Proof of a new extension host: malloclens, activated again, installs the launcher anew
    // (the cached build, copied and renamed over the old file).
    const deadline = Date.now() + 60_000;
    while (statSync(launcher).ino === installed && Date.now() < deadline) await wb().page.waitForTimeout(250);
    assert.notEqual(statSync(launcher).ino, installed, 'malloclens activated again after the reload');
    await wb().openFile('main.go');
    // The Go extension's status bar item (the Go version) appears as it activates, before its tool check.
    await wb().page.locator('.part.statusbar .statusbar-item', { hasText: /^\s*1\.\d+/ }).first().waitFor({ state: 'visible', timeout: 60_000 });
    await wb().page.waitForTimeout(quietMs);
    console.log(`    screenshot: ${await wb().screenshot('launcher-no-warning')}`);
    assert.equal(await toast(RECOMPILE).count(), 0, 'no recompile warning');
  });

  it('debugs a plain "type": "go" configuration: breakpoint, Step Over, Debug Console, Continue; the counts fill in', async function () {
    const expectedMap = lineOf(cli, folder, MAP_LINE);
    assert.ok(expectedMap && expectedMap.count > 0, `the CLI counted nothing on line ${MAP_LINE}`);
    const page = wb().page;

    // Cursor to the map line, then a breakpoint there, as with Ctrl+G and F9.
    await page.keyboard.press('Control+G');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.press('End');
    await input.pressSequentially(String(MAP_LINE));
    await input.press('Enter');
    await page.locator('.part.statusbar .statusbar-item', { hasText: `Ln ${MAP_LINE},` }).waitFor({ state: 'visible', timeout: 10_000 });
    await wb().runCommand('Debug: Toggle Breakpoint');
    await page.locator('.editor-group-container.active .codicon-debug-breakpoint').first().waitFor({ state: 'visible', timeout: 10_000 });

    // F5 in the editor: the workbench takes the key before the browser would reload the page.
    await page.keyboard.press('F5');
    await page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 120_000 });
    await waitForPausedLine(page, MAP_LINE, 180_000);
    // The Go extension says what it started: the launcher, with its usual dlv command line.
    await page.locator('.repl', { hasText: `Starting: ${launcher} dap --listen=127.0.0.1:` }).waitFor({ state: 'visible', timeout: 10_000 });
    console.log(`    screenshot: ${await wb().screenshot('paused-at-breakpoint')}`);

    await wb().runCommand('Debug: Step Over');
    await waitForPausedLine(page, MAP_LINE + 1, 120_000);
    // The statement just stepped over is counted live, while the program is paused.
    const live = await waitForDecoration(page, MAP_LINE, (t) => t === formatScopedAmount(expectedMap, 'run'), 30_000);
    console.log(`    after Step Over: line ${MAP_LINE} shows "${live}"`);
    console.log(`    screenshot: ${await wb().screenshot('after-step-over')}`);

    await wb().runCommand('Debug Console: Focus on Debug Console View');
    // An expression the program's state answers: how many Ps the runtime runs (fast mode, the
    // default, leaves GOMAXPROCS as the machine sets it).
    const rows = await evaluateInDebugConsole(page, 'runtime.gomaxprocs');
    console.log(`    Debug Console: ${JSON.stringify(rows)}`);
    assert.ok(rows.some((r) => /^[1-9]\d*$/.test(r.trim())), `runtime.gomaxprocs evaluated to a number of Ps: ${JSON.stringify(rows)}`);
    console.log(`    screenshot: ${await wb().screenshot('debug-console')}`);

    await wb().runCommand('Debug: Continue');
    await page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 120_000 });
    await waitForDecoration(page, MAP_LINE, (t) => t === formatScopedAmount(expectedMap, 'run'), 20_000);
    for (const line of MAKE_LINES) {
      const counted = lineOf(cli, folder, line);
      assert.deepEqual(await decorationsOf(page, line), counted ? [formatScopedAmount(counted, 'run')] : [], `line ${line}`);
    }
  });

  it('lists the Go session in the Allocations view with the CLI\'s counts', async function () {
    const expectedMap = lineOf(cli, folder, MAP_LINE)!;
    const page = wb().page;
    await page.locator('.activitybar .action-item a[aria-label^="malloclens"]').click();
    await treeRow(page, LAUNCH_NAME).waitFor({ state: 'visible', timeout: 30_000 });
    // Line rows lead with the count (and share), then where, then the code.
    const lineDescription = `main.go:${MAP_LINE}  _ = make(map[int]int, 1000)`;
    await page.locator('[id="workbench.view.extension.malloclens"] .monaco-list .monaco-list-row', { has: page.locator('.label-description', { hasText: lineDescription }) }).waitFor({ state: 'visible', timeout: 10_000 });
    const rows = await treeRows(page);
    console.log(`    rows: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} (${r.description})`).join(' | ')}`);
    console.log(`    screenshot: ${await wb().screenshot('allocations-view')}`);
    const at = (label: string) => rows.find((r) => r.label === label);
    assert.equal(at(LAUNCH_NAME)?.level, 1);
    const fileTotal = cli.lines.filter((l) => l.file === join(folder, 'main.go')).reduce((t, l) => ({ count: t.count + l.count, bytes: t.bytes + l.bytes }), { count: 0, bytes: 0 });
    assert.equal(at('main.go')?.description, formatAmount(fileTotal));
    const lineRow = rows.find((r) => r.description === lineDescription);
    assert.ok(lineRow?.label.startsWith(`${formatAmount(expectedMap)} · `), `line row: ${lineRow?.label}`);
  });

  it('showed no recompile warning at any point since the launcher was set', async function () {
    await wb().runCommand('Notifications: Show Notifications');
    await wb().page.locator('.notifications-center').waitFor({ state: 'visible', timeout: 10_000 });
    const messages = await notificationMessages(wb().page);
    console.log(`    notifications: ${JSON.stringify(messages)}`);
    console.log(`    screenshot: ${await wb().screenshot('notifications-center')}`);
    assert.deepEqual(messages.filter((m) => RECOMPILE.test(m)), []);
  });
});
