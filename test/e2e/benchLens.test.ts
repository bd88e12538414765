// "count allocs/op" above a benchmark in a real VS Code workbench (code-server + Chromium): the
// lens runs that one benchmark, and each line of it shows its allocations per op inline, as the
// CLI's `count --bench` measures them on the same folder; the allocation tree lists them per op.
//
// MALLOCLENS_E2E_PACKAGE: use this .vsix instead of packaging one (`npm run package`).
// MALLOCLENS_E2E_ARTIFACTS: where screenshots and logs go (default test-artifacts/e2e).

import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { formatScopedAmount } from '../../src/core/amountText';
import type { BenchmarkReport } from '../../src/core/benchmarkWindows';
import type { MallocReport } from '../../src/core/report';
import { clickLensAbove, codeLenses, decorationsOf, renderedLines, treeRow, treeRows, waitForDecoration, waitForLens } from './editorProbe';
import { startWorkbench, Workbench } from './workbench';

const execFileAsync = promisify(execFile);
const repo = resolve(__dirname, '..', '..', '..');
const artifactsDir = resolve(process.env.MALLOCLENS_E2E_ARTIFACTS ?? join(repo, 'test-artifacts', 'e2e'));
const BENCHMARK = 'BenchmarkStopStart';
const BENCHTIME = '40x';
const TEST_FILE = 'benchops_test.go';
/**
 * One P for the CLI and the workbench's counts alike (as bench.test.ts): with more, the runtime now
 * and then starts a thread inside a timed window (about seven allocations on the StartTimer line),
 * in one run and not the other.
 */
const ONE_P = { GOMAXPROCS: '1' };

async function packageExtension(dir: string): Promise<string> {
  if (process.env.MALLOCLENS_E2E_PACKAGE) return resolve(process.env.MALLOCLENS_E2E_PACKAGE);
  const vsix = join(dir, 'malloclens.vsix');
  await execFileAsync('npm', ['run', '--silent', 'package', '--', '--out', vsix], { cwd: repo, timeout: 300_000 });
  return vsix;
}

/** The CLI's per-op figures for the benchmark, in the same folder with the same benchtime. */
async function cliBenchmark(folder: string): Promise<BenchmarkReport> {
  const args = [join(repo, 'dist', 'cli.js'), 'count', '--json', '--bench', `^${BENCHMARK}$`, '--benchtime', BENCHTIME, '.'];
  const { stdout } = await execFileAsync(process.execPath, args, { cwd: folder, env: { ...process.env, ...ONE_P }, timeout: 300_000, maxBuffer: 64 << 20 });
  const found = (JSON.parse(stdout) as MallocReport).benchmarks?.find((b) => b.name === BENCHMARK);
  assert.ok(found, `the CLI timed ${BENCHMARK}`);
  return found;
}

describe('"count allocs/op" above a benchmark in a real VS Code (code-server + Chromium)', function () {
  this.timeout(600_000);

  let workbench: Workbench | undefined;
  let temp: string;
  let folder: string;
  let expected: BenchmarkReport;
  let funcLine: number;

  before(async function () {
    temp = mkdtempSync(join(tmpdir(), 'malloclens-e2e-bench-'));
    folder = join(temp, 'benchops');
    cpSync(join(repo, 'test', 'fixtures', 'benchops'), folder, { recursive: true });
    funcLine = readFileSync(join(folder, TEST_FILE), 'utf8').split('\n').findIndex((l) => l.startsWith(`func ${BENCHMARK}(`)) + 1;
    const vsix = await packageExtension(temp);
    expected = await cliBenchmark(folder);
    // code-server passes its environment on to the extension, its language server and the benchmark.
    const saved = process.env.GOMAXPROCS;
    process.env.GOMAXPROCS = ONE_P.GOMAXPROCS;
    try {
      workbench = await startWorkbench({ vsix, folder, artifactsDir, settings: { 'malloclens.inlineCounts.style': 'after', 'malloclens.benchtime': BENCHTIME } });
    } finally {
      if (saved === undefined) delete process.env.GOMAXPROCS;
      else process.env.GOMAXPROCS = saved;
    }
  });

  after(async function () {
    await workbench?.stop();
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  const wb = () => workbench as Workbench;

  it('shows "count allocs/op" above each benchmark and "count mallocs" above each test', async function () {
    await wb().openFile(TEST_FILE);
    await wb().waitForEditorText(`func ${BENCHMARK}(b *testing.B)`);
    await waitForLens(wb().page, funcLine, (t) => t === 'count allocs/op', 60_000);
    const lenses = await codeLenses(wb().page);
    const source = readFileSync(join(folder, TEST_FILE), 'utf8').split('\n');
    const inView = new Set((await renderedLines(wb().page)).map((l) => l.line));
    // Above a benchmark "count allocs/op", above a test "count mallocs", above any other function "count one call".
    const want = source.flatMap((text, i) => {
      if (!inView.has(i + 1) || !text.startsWith('func ')) return [];
      if (/^func Benchmark\w*\(b \*testing\.B\)/.test(text)) return [{ line: i + 1, title: 'count allocs/op' }];
      if (/^func Test\w*\(t \*testing\.T\)/.test(text)) return [{ line: i + 1, title: 'count mallocs' }];
      return [{ line: i + 1, title: 'count one call' }];
    });
    // The editor renders the lenses of the lines in view: above each func line in view, exactly its
    // one lens; "count allocs/op" nowhere else ("count mallocs" also stands above make(...) statements).
    const funcLines = new Set(source.flatMap((text, i) => (text.startsWith('func ') ? [i + 1] : [])));
    const shown = lenses.filter((l) => funcLines.has(l.line));
    assert.ok(want.length >= 2, `functions in view: ${JSON.stringify(want)}`);
    assert.deepEqual(shown, want);
    assert.deepEqual(lenses.filter((l) => l.title === 'count allocs/op' && !want.some((w) => w.line === l.line)), []);
    assert.ok(shown.some((l) => l.line === funcLine && l.title === 'count allocs/op'));
  });

  it(`counts ${BENCHMARK} from its lens: each line shows the CLI's allocs/op and B/op inline`, async function () {
    const inFile = expected.lines.filter((l) => l.file === join(folder, TEST_FILE));
    assert.ok(inFile.length > 0, 'the CLI charged lines of the benchmark file');
    await clickLensAbove(wb().page, funcLine, 'count allocs/op');
    const lens = await waitForLens(wb().page, funcLine, (t) => t.startsWith('count allocs/op ·'), 180_000);
    assert.equal(lens.title, `count allocs/op · ${formatScopedAmount({ count: expected.allocsPerOp, bytes: expected.bytesPerOp }, 'op')}`);
    for (const line of inFile) {
      const want = formatScopedAmount({ count: line.allocsPerOp, bytes: line.bytesPerOp }, 'op');
      assert.match(want, / allocs\/op · .* B\/op$/);
      assert.equal(await waitForDecoration(wb().page, line.line, (t) => /allocs\/op/.test(t), 10_000), want, `line ${line.line}`);
    }
    const untimed = readFileSync(join(folder, TEST_FILE), 'utf8').split('\n').findIndex((l) => l.includes('make([]byte, 512) // untimed')) + 1;
    assert.deepEqual(await decorationsOf(wb().page, untimed), [], 'the line between StopTimer and StartTimer shows nothing');
    await wb().page.mouse.move(5, 5);
    console.log(`    lens "${lens.title}"; lines ${inFile.map((l) => `${l.line}: ${formatScopedAmount({ count: l.allocsPerOp, bytes: l.bytesPerOp }, 'op')}`).join(', ')}`);
    console.log(`    screenshot: ${await wb().screenshot('count-allocs-per-op')}`);
  });

  it('lists the benchmark per op in the allocation tree', async function () {
    await wb().page.locator('.activitybar .action-item a[aria-label^="malloclens"]').click();
    const label = `${TEST_FILE}:${funcLine} · ${BENCHMARK} · per op`;
    await treeRow(wb().page, label).waitFor({ state: 'visible', timeout: 30_000 });
    const rows = await treeRows(wb().page);
    console.log(`    rows: ${rows.map((r) => `${'  '.repeat(r.level - 1)}${r.label} (${r.description})`).join(' | ')}`);
    console.log(`    screenshot: ${await wb().screenshot('allocs-per-op-tree')}`);
    const source = rows.find((r) => r.label === label);
    assert.ok(source?.description.startsWith(`${formatScopedAmount({ count: expected.allocsPerOp, bytes: expected.bytesPerOp }, 'op')} · `), source?.description);
    const top = [...expected.lines].sort((a, b) => b.allocs - a.allocs)[0];
    assert.ok(rows.some((r) => r.level === 3 && r.label.startsWith(formatScopedAmount({ count: top.allocsPerOp, bytes: top.bytesPerOp }, 'op'))), 'a line row leads with its allocs/op');
  });
});
