// pprof in and out in a real VS Code workbench (code-server + Chromium): a debug run of the
// `callers` fixture exported with "Export pprof Profile…" is read by the real `go tool pprof` with
// the session's total and the run's count of the allocating line; an allocs profile a Go program
// wrote with runtime/pprof, opened with "Open pprof Profile…", shows each line inline as
// "sampled: ≈…" with the figures `go tool pprof -list` gives; the hover says who called the line.
//
// MALLOCLENS_E2E_PACKAGE: use this .vsix instead of packaging one (`npm run package`).

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { formatSampledAmount } from '../../src/core/amountText';
import { decorationsOf, hoverText, treeRow, treeRows, waitForDecoration } from './editorProbe';
import { startWorkbench, Workbench } from './workbench';

const execFileAsync = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');
const artifactsDir = resolve(process.env.MALLOCLENS_E2E_ARTIFACTS ?? join(repo, 'test-artifacts', 'e2e'));
const LAUNCH_NAME = 'Count the callers';
/** test/fixtures/callers/main.go: mk's make, reached from package init, fromA, fromB and deep. */
const MK_LINE = readFileSync(join(repo, 'test', 'fixtures', 'callers', 'main.go'), 'utf8').split('\n').findIndex((l) => l.endsWith('// L:mk')) + 1;
/** test/fixtures/memprofile/main.go: the lines that allocate. */
const PROFILE_LINES = ['make([]byte, 64)', 'strings.Repeat(', 'make(map[int]int, 16)'].map((code) => {
  const i = readFileSync(join(repo, 'test', 'fixtures', 'memprofile', 'main.go'), 'utf8').split('\n').findIndex((l) => l.includes(code));
  assert.ok(i >= 0, code);
  return i + 1;
});

async function packageExtension(dir: string): Promise<string> {
  if (process.env.MALLOCLENS_E2E_PACKAGE) return resolve(process.env.MALLOCLENS_E2E_PACKAGE);
  const vsix = join(dir, 'malloclens.vsix');
  await execFileAsync('npm', ['run', '--silent', 'package', '--', '--out', vsix], { cwd: repo, timeout: 300_000 });
  return vsix;
}

async function pprof(args: string[]): Promise<string> {
  const { stdout } = await execFileAsync('go', ['tool', 'pprof', ...args], { timeout: 120_000, maxBuffer: 64 << 20 });
  return stdout;
}

/** `-list`'s cum column per line (`-unit=B`: bytes as whole numbers). */
async function listCum(profile: string, regexp: string, index: string): Promise<Map<number, number>> {
  const cum = new Map<number, number>();
  for (const l of (await pprof(['-list', regexp, `-sample_index=${index}`, '-unit=B', profile])).split('\n')) {
    const m = /^\s+(\S+)\s+(\d+)B?\s+(\d+):/.exec(l);
    if (m) cum.set(Number(m[3]), (cum.get(Number(m[3])) ?? 0) + Number(m[2]));
  }
  return cum;
}

/** `-peek`'s callers of one function: name → count. */
async function peekCallers(profile: string, fn: string): Promise<Map<string, number>> {
  const callers = new Map<string, number>();
  for (const l of (await pprof(['-peek', `^${fn.replace(/\./g, '\\.')}$`, '-sample_index=alloc_objects', profile])).split('\n')) {
    if (l.includes(`| ${fn}`) && !/\|\s{3}/.test(l)) break;
    const m = /^\s+(\d+)\s+\S+%\s+\|\s+(\S+)\s*$/.exec(l);
    if (m) callers.set(m[2], Number(m[1]));
  }
  return callers;
}

describe('pprof in and out in a real VS Code (code-server + Chromium)', function () {
  this.timeout(600_000);

  let workbench: Workbench | undefined;
  let temp: string;
  let folder: string;
  let profile: string;

  before(async function () {
    temp = mkdtempSync(join(tmpdir(), 'malloclens-e2e-pprof-'));
    folder = join(temp, 'work');
    cpSync(join(repo, 'test', 'fixtures', 'callers'), join(folder, 'callers'), { recursive: true });
    cpSync(join(repo, 'test', 'fixtures', 'memprofile'), join(folder, 'memprofile'), { recursive: true });
    mkdirSync(join(folder, '.vscode'));
    writeFileSync(join(folder, '.vscode', 'launch.json'), JSON.stringify({
      version: '0.2.0',
      configurations: [{ name: LAUNCH_NAME, type: 'malloclens', request: 'launch', mode: 'auto', program: '${workspaceFolder}/callers' }],
    }, null, 2));
    // A profile as a Go program writes one: runtime/pprof's allocs profile, sampled every 4 KiB.
    profile = join(folder, 'allocs.pb.gz');
    await execFileAsync('go', ['run', '.', profile], { cwd: join(folder, 'memprofile'), timeout: 300_000 });
    const vsix = await packageExtension(temp);
    workbench = await startWorkbench({ vsix, folder, artifactsDir, settings: { 'malloclens.inlineCounts.style': 'after' } });
  });

  after(async function () {
    await workbench?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  const wb = () => workbench as Workbench;

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) console.log(`    failure screenshot: ${await wb().screenshot(`pprof-failed-${this.currentTest.title.slice(0, 20)}`)}`);
  });

  /** Answers the workbench's own (simple) file dialog: the whole path, then Enter. */
  async function answerFileDialog(file: string): Promise<void> {
    const input = wb().page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // The dialog fills in its folder once it has listed it: type the path after that, and again
    // if the dialog rewrote it meanwhile.
    await wb().page.waitForTimeout(1000);
    for (let attempt = 0; attempt < 5; attempt++) {
      await input.fill(file);
      await wb().page.waitForTimeout(700);
      if ((await input.inputValue()) === file) break;
    }
    await input.press('Enter');
  }

  /** Puts `line` of the active editor in view (Monaco renders only the lines in view). */
  async function goToLine(line: number): Promise<void> {
    await wb().page.keyboard.press('Control+G');
    const input = wb().page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.pressSequentially(String(line));
    await input.press('Enter');
  }

  /**
   * Quick Open for a file whose name another folder's file shares (callers/main.go is open and
   * recent): Enter only once the focused row is the one in `dir`.
   */
  async function openInFolder(dir: string, name: string): Promise<void> {
    await wb().page.keyboard.press('Control+P');
    const input = wb().page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    await input.pressSequentially(`${dir}/${name}`);
    await wb().page.locator('.quick-input-widget .monaco-list-row.focused .label-description', { hasText: dir }).waitFor({ state: 'visible', timeout: 15_000 });
    await input.press('Enter');
    await wb().page.locator('.breadcrumbs-control', { hasText: dir }).first().waitFor({ state: 'visible', timeout: 15_000 });
  }

  /** Opens the Allocations view (clicking its activity-bar icon again would close it). */
  async function showAllocationsView(): Promise<void> {
    if (await wb().page.locator('[id="workbench.view.extension.malloclens"]').isVisible()) return;
    await wb().page.locator('.activitybar .action-item a[aria-label^="malloclens"]').click();
    await wb().page.locator('[id="workbench.view.extension.malloclens"]').waitFor({ state: 'visible', timeout: 10_000 });
  }

  it('exports a finished debug run as a pprof profile that go tool pprof reads with the same figures', async function () {
    await wb().openFile('callers/main.go');
    await wb().runCommand('Debug: Select and Start Debugging');
    await wb().pick(LAUNCH_NAME);
    // A short program can be done before the toolbar is ever seen (a clean-clone run showed it):
    // the session's counts in the status bar say it started as well.
    await Promise.race([
      wb().page.locator('.debug-toolbar').waitFor({ state: 'visible', timeout: 60_000 }),
      wb().page.locator('.part.statusbar .statusbar-item', { hasText: /run: [\d,]+ alloc/ }).waitFor({ state: 'visible', timeout: 60_000 }),
    ]);
    await wb().page.locator('.debug-toolbar').waitFor({ state: 'hidden', timeout: 120_000 });
    await wb().runCommand('View: Hide Panel');
    await goToLine(MK_LINE);
    const inline = await waitForDecoration(wb().page, MK_LINE, (t) => /^run: [\d,]+ allocs/.test(t), 30_000);
    // The hover splits the line by its callers.
    await wb().page.mouse.move(800, 500);
    await wb().page.waitForTimeout(1500);
    const hover = await hoverText(wb().page, MK_LINE);
    console.log(`    hover: ${hover.replace(/\s+/g, ' ').slice(0, 500)}`);
    console.log(`    screenshot: ${await wb().screenshot('pprof-callers-hover')}`);
    assert.match(hover, /Called from/);
    await wb().page.mouse.move(5, 5);

    const exported = join(folder, 'run.pb.gz');
    await wb().runCommand('malloclens: Export pprof Profile…');
    await answerFileDialog(exported);
    const deadline = Date.now() + 20_000;
    while (!existsSync(exported) && Date.now() < deadline) await wb().page.waitForTimeout(250);
    assert.ok(existsSync(exported), 'the profile was written');
    await wb().page.locator('.notifications-toasts', { hasText: 'go tool pprof -top' }).waitFor({ state: 'visible', timeout: 10_000 });
    console.log(`    screenshot: ${await wb().screenshot('pprof-exported')}`);

    // The session's total as the tree shows it, and the line's count as the editor shows it.
    await showAllocationsView();
    await treeRow(wb().page, LAUNCH_NAME).waitFor({ state: 'visible', timeout: 30_000 });
    const session = (await treeRows(wb().page)).find((r) => r.label === LAUNCH_NAME);
    const sessionTotal = Number(/^([\d,]+) allocs/.exec(session?.description ?? '')?.[1].replace(/,/g, ''));
    const lineCount = Number(/^run: ([\d,]+) allocs/.exec(inline)?.[1].replace(/,/g, ''));
    const top = /of (\d+) total/.exec(await pprof(['-top', '-sample_index=alloc_objects', exported]));
    const cum = await listCum(exported, '^main\\.mk$', 'alloc_objects');
    console.log(`    session ${sessionTotal} allocs, pprof -top ${top?.[1]}; line ${MK_LINE}: inline ${lineCount}, pprof -list ${cum.get(MK_LINE)}`);
    assert.equal(Number(top?.[1]), sessionTotal);
    assert.equal(cum.get(MK_LINE), lineCount);

    // Who called mk: the hover and the tree's "called from" say what pprof -peek says.
    const peek = await peekCallers(exported, 'main.mk');
    console.log(`    pprof -peek callers of main.mk: ${JSON.stringify(Object.fromEntries(peek))}`);
    for (const fn of ['main.fromA', 'main.fromB']) {
      const n = peek.get(fn);
      assert.ok(n, `pprof -peek lists ${fn}`);
      assert.match(hover, new RegExp(`main\\.main:\\d+ → ${fn.replace('.', '\\.')}:\\d+ · ${n} allocs?`), `the hover's ${fn}`);
    }
    const mkRow = wb().page.locator('[id="workbench.view.extension.malloclens"] .monaco-list .monaco-list-row', { has: wb().page.locator('.label-description', { hasText: `main.go:${MK_LINE}` }) });
    await mkRow.locator('.monaco-tl-twistie').click();
    await treeRow(wb().page, 'called from').locator('.monaco-tl-twistie').click();
    await treeRow(wb().page, /allocs? · /).filter({ has: wb().page.locator('.label-description', { hasText: 'main.fromB' }) }).waitFor({ state: 'visible', timeout: 10_000 });
    const callerRows = (await treeRows(wb().page)).filter((r) => / → main\.from[AB]:/.test(r.description));
    console.log(`    called from: ${callerRows.map((r) => `${r.label} (${r.description})`).join(' | ')}`);
    console.log(`    screenshot: ${await wb().screenshot('pprof-called-from-tree')}`);
    for (const fn of ['main.fromA', 'main.fromB']) {
      const row = callerRows.find((r) => r.description.includes(`→ ${fn}:`));
      assert.equal(Number(/^(\d+) alloc/.exec(row?.label ?? '')?.[1]), peek.get(fn), `tree row for ${fn}`);
    }
  });

  it('opens a Go allocs profile: "≈" sampled figures inline and in the tree, as go tool pprof -list has them', async function () {
    const counts = await listCum(profile, '^main\\.', 'alloc_objects');
    const bytes = await listCum(profile, '^main\\.', 'alloc_space');
    await wb().runCommand('malloclens: Open pprof Profile…');
    await answerFileDialog(profile);
    await showAllocationsView();
    await treeRow(wb().page, 'allocs.pb.gz (pprof)').waitFor({ state: 'visible', timeout: 30_000 });
    await openInFolder('memprofile', 'main.go');
    const shown: string[] = [];
    for (const line of PROFILE_LINES) {
      const expected = `sampled: ${formatSampledAmount({ count: counts.get(line)!, bytes: bytes.get(line)! })}`;
      await goToLine(line);
      shown.push(await waitForDecoration(wb().page, line, (t) => t === expected, 20_000));
    }
    console.log(`    inline: ${shown.join(' | ')}`);
    const rows = await treeRows(wb().page);
    const source = rows.find((r) => r.label === 'allocs.pb.gz (pprof)');
    console.log(`    tree: ${source?.description}`);
    assert.match(source?.description ?? '', /^≈[\d,]+ allocs · ≈[\d.]+ [KM]iB · sampled · 1 sample per 4\.0 KiB · allocated · /);
    // The activity bar's own hover (the mouse clicked its icon) must be gone first.
    await wb().page.mouse.move(800, 500);
    await wb().page.waitForTimeout(1500);
    await goToLine(PROFILE_LINES[0]);
    const hover = await hoverText(wb().page, PROFILE_LINES[0]);
    console.log(`    hover: ${hover.replace(/\s+/g, ' ').slice(0, 400)}`);
    assert.match(hover, /MemProfileRate 4,096\): the runtime's estimates, not counts/);
    console.log(`    screenshot: ${await wb().screenshot('pprof-opened')}`);
    await wb().page.mouse.move(5, 5);
    assert.deepEqual(await decorationsOf(wb().page, PROFILE_LINES[0] - 1), [], 'lines the profile has nothing on stay bare');
  });
});
