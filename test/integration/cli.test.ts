/** The CLI against real programs: clear one-line errors, pass-through of the program's I/O, exits. */
import * as assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../../src/core/report';
import { spawn, spawnSync } from 'node:child_process';
import { FIXTURES, leftovers, markedEnv, ROOT, runCli, waitForNoLeftovers } from './helpers';

const fixture = (name: string) => path.join(FIXTURES, name);

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `expected one line on stderr, got:\n${stderr}`);
  assert.ok(!/\bat .+:\d+:\d+\)/.test(stderr), 'no stack trace');
  return lines[0];
}

describe('malloclens count (CLI)', function () {
  this.timeout(120_000);

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(), [], 'no dlv or debuggee process is left behind');
  });

  it('can see a process it left behind (the guard of the other tests works)', async () => {
    const sleeper = spawn('sleep', ['30'], { env: markedEnv(), stdio: 'ignore' });
    try {
      await new Promise((r) => setTimeout(r, 100));
      assert.ok((await leftovers()).some((l) => l.startsWith(`${sleeper.pid} sleep 30`)));
    } finally {
      sleeper.kill('SIGKILL');
    }
  });

  it('prints a table sorted by count, with location, function, count, bytes and main path', async () => {
    const r = await runCli(['count', fixture('corpus')], { env: { MALLOCLENS_ORACLE_OUT: path.join(os.tmpdir(), 'malloclens-cli-oracle.json') } });
    assert.equal(r.code, 0, r.stderr);
    const [header, ...rows] = r.stdout.trim().split('\n');
    assert.match(header, /^LOCATION\s+FUNCTION\s+COUNT\s+BYTES\s+MAIN PATH$/);
    const counts = rows.filter((l) => l.startsWith('test/')).map((l) => Number(l.split(/\s{2,}/)[2].replace(/,/g, '')));
    assert.ok(counts.length > 20);
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'rows are sorted by count');
    assert.match(r.stdout, /total: [\d,]+ allocations/);
    assert.match(r.stdout, /json\.Marshal/, 'the main path names the callee');
  });

  it('reports a build error in one line and exits 1', async () => {
    const r = await runCli(['count', 'test/fixtures/broken']);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /^malloclens: cannot build test\/fixtures\/broken: \.\/main\.go:4:\d+: undefined: undefinedThing$/);
  });

  it('refuses a missing target and bad flags with usage (exit 2)', async () => {
    const missing = await runCli(['count', 'test/fixtures/nope']);
    assert.equal(missing.code, 1);
    assert.equal(oneLine(missing.stderr), 'malloclens: test/fixtures/nope: no such file or directory');
    const bad = await runCli(['count', '--frobnicate', fixture('exits')]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^malloclens: unknown flag --frobnicate/);
  });

  it('names the Delve it was told to use when that Delve cannot exist or is too old', async () => {
    const nowhere = await runCli(['count', fixture('exits')], { env: { MALLOCLENS_DLV: '/nonexistent/dlv' } });
    assert.equal(nowhere.code, 1);
    assert.equal(oneLine(nowhere.stderr), 'malloclens: Delve not found at /nonexistent/dlv.');

    // A stand-in that answers `dlv version` like an old Delve: only the version check runs.
    const dir = mkdtempSync(path.join(os.tmpdir(), 'malloclens-olddlv-'));
    try {
      const old = path.join(dir, 'dlv');
      writeFileSync(old, '#!/bin/sh\necho "Delve Debugger"\necho "Version: 1.19.1"\n');
      chmodSync(old, 0o755);
      const r = await runCli(['count', '--dlv', old, fixture('exits')]);
      assert.equal(r.code, 1);
      assert.equal(oneLine(r.stderr), `malloclens: Delve 1.19.1 at ${old} is too old for malloclens (it needs Delve 1.20.0 or newer).`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a Go version the chosen Delve cannot debug, in one sentence', async function () {
    if (!require('node:fs').existsSync('/usr/bin/dlv')) this.skip(); // Debian's Delve 1.20.2
    const r = await runCli(['count', '--dlv', '/usr/bin/dlv', fixture('exits')]);
    assert.equal(r.code, 1);
    assert.match(oneLine(r.stderr), /^malloclens: Delve 1\.20\.2 at \/usr\/bin\/dlv debugs Go 1\.18 to 1\.20, but the program is built with go1\.\d+\.\d+\.$/);
  });

  it('keeps the counts of a program that panics, and exits with its status', async () => {
    // The breakpoint engine reads what was asked for (fast mode: the size class the runtime records).
    const r = await runCli(['count', '--json', '--engine', 'breakpoints', fixture('panics')]);
    assert.equal(r.code, 2, 'Go exits 2 on an unrecovered panic');
    assert.match(r.stderr, /panic: assignment to entry in nil map/, 'the program\'s own panic output reaches stderr');
    assert.match(r.stderr, /malloclens: the program exited with status 2 \(panic/);
    const report = JSON.parse(r.stdout) as MallocReport;
    const make = report.lines.find((l) => l.line === 7);
    assert.equal(make?.count, 1);
    assert.equal(make?.bytes, 4000, 'make([]int, 500) asks for 500 × 8 bytes');
    assert.equal(report.program?.exitCode, 2);
  });

  it('keeps the counts of a program that calls os.Exit', async () => {
    const r = await runCli(['count', '--json', fixture('exits')]);
    assert.equal(r.code, 3);
    const report = JSON.parse(r.stdout) as MallocReport;
    assert.equal(report.lines.find((l) => l.line === 9)?.count, 1);
    assert.equal(report.program?.exitCode, 3);
    assert.equal(report.check?.complete ?? true, true);
  });

  it('passes stdin, stdout, stderr, arguments and the environment through to the program', async () => {
    const r = await runCli(['count', fixture('echo'), '--', 'first', 'second arg'], { input: 'hello\nworld\n', env: { MALLOCLENS_TEST_ENV: 'inherited' } });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^echo: HELLO\necho: WORLD\n/, 'the program\'s output comes first, unchanged');
    assert.match(r.stdout, /LOCATION\s+FUNCTION/);
    assert.match(r.stderr, /args: first,second arg/);
    assert.match(r.stderr, /env: inherited/);
  });

  for (const engine of ['fast', 'breakpoints']) {
    it(`${engine}: the program sees the user's XDG_CONFIG_HOME, set or unset, though Delve is given its own`, async () => {
      const set = await runCli(['count', '--engine', engine, fixture('echo')], { env: { XDG_CONFIG_HOME: '/home/someone/.my-config' } });
      assert.equal(set.code, 0, set.stderr);
      assert.match(set.stderr, /^config home: \/home\/someone\/\.my-config$/m);
      const unset = await runCli(['count', '--engine', engine, fixture('echo')], { env: { XDG_CONFIG_HOME: undefined } });
      assert.equal(unset.code, 0, unset.stderr);
      assert.match(unset.stderr, /^config home: unset$/m);
    });
  }

  it('--json alone prints only the report on stdout; the program\'s stdout goes to stderr', async () => {
    const r = await runCli(['count', '--json', fixture('echo'), '--', 'a'], { input: 'one\ntwo\n' });
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout) as MallocReport; // throws if anything else is mixed in
    assert.ok(report.total.count > 0);
    assert.match(r.stderr, /^echo: ONE\necho: TWO\n/, 'the program\'s stdout, in order, on stderr');
    assert.match(r.stderr, /args: a/, 'its stderr is still stderr');
    // The same stdout through a JSON tool, as a user would pipe it.
    const jq = spawnSync('jq', ['.total.count'], { input: r.stdout, encoding: 'utf8' });
    if (jq.error) return; // jq not installed: JSON.parse above is the check
    assert.equal(jq.status, 0, jq.stderr);
    assert.equal(Number(jq.stdout.trim()), report.total.count);
  });

  it('with -o FILE the program keeps its stdout and the report goes to the file', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'malloclens-cli-o-'));
    try {
      const out = path.join(dir, 'r.json');
      const r = await runCli(['count', '--json', '-o', out, fixture('echo')], { input: 'x\n' });
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout, 'echo: X\n');
      assert.ok((JSON.parse(readFileSync(out, 'utf8')) as MallocReport).total.count > 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--top N and --filter PATTERN cut the table to the rows the JSON report ranks first or matches', async () => {
    const env = { MALLOCLENS_ORACLE_OUT: path.join(os.tmpdir(), 'malloclens-cli-oracle.json') };
    const oracle = JSON.parse((await runCli(['count', '--json', fixture('corpus')], { env })).stdout) as MallocReport;
    const top = await runCli(['count', '--top', '3', fixture('corpus')], { env });
    assert.equal(top.code, 0, top.stderr);
    // The corpus prints a line of its own first; the table starts at its header.
    const table = top.stdout.slice(top.stdout.indexOf('LOCATION')).trim().split('\n');
    const rows = table.slice(1, 4).map((l) => l.split(/\s{2,}/));
    const counts = rows.map((cells) => Number(cells[cells.length - 3].replace(/,/g, '')));
    assert.deepEqual(counts, [...counts].sort((a, b) => b - a), 'largest first');
    // Package init varies by a few allocations between runs: compare which rows, not their counts.
    const ranked = [
      ...oracle.lines.map((l) => ({ name: `${path.relative(ROOT, l.file)}:${l.line}`, count: l.count })),
      ...oracle.unattributed.buckets.map((b) => ({ name: `(${b.name})`, count: b.count })),
    ].sort((a, b) => b.count - a.count);
    assert.deepEqual(new Set(rows.map((cells) => cells[0])), new Set(ranked.slice(0, 3).map((r) => r.name)));
    assert.equal(table[4], `showing 3 of ${ranked.length} rows (--top 3); the total below is the whole report's`);

    const filtered = await runCli(['count', '--filter', 'json.Marshal', fixture('corpus')], { env });
    assert.equal(filtered.code, 0, filtered.stderr);
    const lines = filtered.stdout.trim().split('\n').filter((l) => l.startsWith('test/'));
    const wanted = oracle.lines.filter((l) => l.paths.some((p) => p.frames.some((f) => f.includes('json.Marshal'))));
    assert.ok(wanted.length > 0);
    assert.equal(lines.length, wanted.length);
  });

  it('--line on a func line counts one call of the function, callees included', async () => {
    const file = path.join(fixture('newuser'), 'main.go');
    const one = JSON.parse((await runCli(['count', '--json', '--line', `${file}:10`, fixture('newuser')])).stdout) as MallocReport;
    assert.deepEqual({ line: one.statement?.line, endLine: one.statement?.endLine, reached: one.statement?.reached }, { line: 10, endLine: 14, reached: true });
    // The function's own make, once: the run (40 calls) counts it 40 times.
    const run = JSON.parse((await runCli(['count', '--json', fixture('newuser')])).stdout) as MallocReport;
    const make = (r: MallocReport) => r.lines.find((l) => l.file === file && l.line === 11);
    assert.equal(make(run)!.count % 40, 0);
    assert.equal(make(one)?.count, make(run)!.count / 40);
    assert.ok(one.total.count < run.lines.filter((l) => l.line >= 10 && l.line <= 14).reduce((n, l) => n + l.count, 0), 'one call, not forty');
  });

  it('counts a package\'s tests with --test', async () => {
    const r = await runCli(['count', '--json', '--test', fixture('withtests')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^PASS$/m, 'with --json the test binary\'s own stdout goes to stderr');
    const report = JSON.parse(r.stdout) as MallocReport;
    const pair = report.lines.find((l) => l.file.endsWith('lib.go'));
    assert.equal(pair?.count, 10, 'Pair allocates once per call, ten calls');
    assert.equal(pair?.function, 'withtests.Pair', 'Delve names functions by the last element of their import path');
  });

  it('counts a single .go file outside any module', async () => {
    const r = await runCli(['count', '--json', path.join(fixture('single'), 'hello.go')]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /^hello$/m);
    const report = JSON.parse(r.stdout) as MallocReport;
    assert.ok(report.lines.some((l) => l.file.endsWith('hello.go') && l.line === 9 && l.count >= 1));
  });

  it('labels the report with the Go and Delve versions and the build flags', async () => {
    const debug = JSON.parse((await runCli(['count', '--json', fixture('exits')])).stdout) as MallocReport;
    assert.match(debug.go, /^go1\.\d+/);
    assert.match(debug.delve, /^\d+\.\d+\.\d+$/);
    assert.equal(debug.buildFlags, '-gcflags=all=-N -l');
    assert.equal(debug.scope, 'run');
    const optimized = JSON.parse((await runCli(['count', '--json', '--optimized', fixture('exits')])).stdout) as MallocReport;
    assert.equal(optimized.buildFlags, '');
  });
});
