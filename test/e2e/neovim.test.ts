/**
 * Neovim for real: Debian's `nvim --headless`, its built-in LSP client attached to
 * `malloclens lsp` (the README's configuration), on a copy of the corpus fixture. Neovim lists the
 * lenses, runs the one above a make(...) statement and reads the count from the lens and from the
 * hover; the count must equal the MemStats delta the program measured around that statement.
 */
import * as assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { formatScopedAmount } from '../../src/core/amountText';
import { caseLines, CLI, FIXTURES, markedEnv, parseOracle, ROOT, waitForNoLeftovers } from '../integration/helpers';

interface NvimOut {
  error?: string;
  lenses?: { line: number; title: string }[];
  counted_lens?: { line: number; title: string };
  hover?: string;
  inlay_hints?: { line: number; label: string }[];
  notifications: { message: string; level: number }[];
  count_seconds?: number;
  total_seconds?: number;
}

const SCRIPT = path.join(ROOT, 'test', 'e2e', 'neovim', 'countLens.lua');

function runNeovim(env: NodeJS.ProcessEnv, timeoutMs: number): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    // --clean: no user configuration or plugins, only Neovim's own runtime (vim.lsp among it).
    const child = spawn('nvim', ['--headless', '--clean', '-n', '-c', `luafile ${SCRIPT}`], { env: markedEnv(env), stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.stdout.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

describe('Neovim\'s built-in LSP client with malloclens lsp (nvim --headless)', function () {
  this.timeout(300_000);
  let work: string;

  before(function () {
    if (spawnSync('nvim', ['--version']).status !== 0) throw new Error('nvim is not installed (CI: apt-get install neovim; see .ci/run)');
    if (!existsSync(CLI)) throw new Error(`${CLI} is missing: npm run build first`);
    work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-nvim-'));
  });

  after(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('lists the lenses, runs one, and reads the runtime\'s count from the lens and the hover', async () => {
    const dir = path.join(work, 'corpus');
    cpSync(path.join(FIXTURES, 'corpus'), dir, { recursive: true });
    const file = path.join(dir, 'main.go');
    const lines = readFileSync(file, 'utf8').split('\n');
    const line = lines.findIndex((l) => l.includes('sinkMap = make(map[int]int, 1000) // case')) + 1;
    const outFile = path.join(work, 'nvim.json');
    const oracleFile = path.join(work, 'deltas.json');

    const started = Date.now();
    const nvim = await runNeovim({
      MALLOCLENS_CLI: CLI, MALLOCLENS_NVIM_FILE: file, MALLOCLENS_NVIM_LINE: String(line), MALLOCLENS_NVIM_OUT: outFile,
      MALLOCLENS_ORACLE_OUT: oracleFile,
    }, 280_000);
    const seconds = (Date.now() - started) / 1000;
    assert.ok(existsSync(outFile), `Neovim wrote nothing (exit ${nvim.code}): ${nvim.stderr}`);
    const out = JSON.parse(readFileSync(outFile, 'utf8')) as NvimOut;
    assert.equal(out.error, undefined, `${out.error}\nmessages: ${JSON.stringify(out.notifications)}`);
    assert.equal(nvim.code, 0, nvim.stderr);

    const makeLines = lines.flatMap((l, i) => (/\bmake\(/.test(l) ? [i + 1] : []));
    assert.deepEqual(out.lenses!.filter((l) => l.title === 'count mallocs').map((l) => l.line), makeLines, 'a lens above every make(...)');

    const { deltas } = parseOracle(readFileSync(oracleFile, 'utf8'));
    const runtime = deltas[caseLines(file).indexOf(line)];
    const counted = Number(/first run: (\d+) allocs?/.exec(out.counted_lens!.title)?.[1]);
    console.log(`    Neovim ${(spawnSync('nvim', ['--version']).stdout.toString().split('\n')[0])}: lens "${out.counted_lens!.title}"; runtime ${runtime} mallocs, counted ${counted}`);
    console.log(`    count ${out.count_seconds!.toFixed(1)} s, Neovim session ${out.total_seconds!.toFixed(1)} s, test ${seconds.toFixed(1)} s`);
    assert.equal(counted, runtime);

    assert.ok(out.hover, 'a hover on the counted line');
    assert.match(out.hover!, new RegExp(`\\*\\*first run: ${runtime} allocs? · [^*]+\\*\\* · first execution of this statement`));
    assert.match(out.hover!, /Swiss map|Classic map/);
    assert.deepEqual(out.inlay_hints!.filter((h) => h.line === line).map((h) => h.label.replace(/ · .*/, '')), [formatScopedAmount({ count: runtime, bytes: 0 }, 'line').replace(/ · .*/, '')]);
    assert.deepEqual(await waitForNoLeftovers(5000), [], 'Neovim stopped the server, and the server every Delve');
  });
});
