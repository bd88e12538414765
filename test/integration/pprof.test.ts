/**
 * pprof out and in, against the real `go tool pprof`:
 * - `count --pprof` on the `callers` fixture, in both engines: pprof's totals (-top, -raw) equal the
 *   JSON report's, its -list figures equal the report's lines, its -peek callers equal the
 *   report's callers; and the report's figures equal the program's own MemStats deltas.
 * - `show` on allocs profiles a Go program wrote with runtime/pprof (gzipped and not) and on a
 *   `go test -memprofile` profile: each line's figure is what `go tool pprof -list` says.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../../src/core/report';
import { CallerTally, LineTally, withRuntimeShare } from '../../src/core/tally';
import { FIXTURES, markedEnv, parseOracle, runCli, runCommand, waitForNoLeftovers } from './helpers';

const CALLERS = path.join(FIXTURES, 'callers');
const MEMPROFILE = path.join(FIXTURES, 'memprofile');

/** The 1-based line marked `// L:name`, or each line marked `// case`. */
function markedLine(file: string, name: string): number {
  const i = readFileSync(file, 'utf8').split('\n').findIndex((l) => l.trimEnd().endsWith(`// L:${name}`));
  assert.ok(i >= 0, `${file} has no line marked L:${name}`);
  return i + 1;
}
function caseLines(file: string): number[] {
  return readFileSync(file, 'utf8').split('\n').flatMap((l, i) => (l.trimEnd().endsWith('// case') ? [i + 1] : []));
}

async function pprof(args: string[]): Promise<string> {
  const r = await runCommand('go', ['tool', 'pprof', ...args]);
  assert.equal(r.code, 0, `go tool pprof ${args.join(' ')}:\n${r.stderr}`);
  return r.stdout;
}

/** `-top`'s "Showing nodes accounting for X, 100% of N total". */
async function pprofTotal(file: string, index: string): Promise<number> {
  const m = /of (\d+) total/.exec(await pprof(['-top', `-sample_index=${index}`, file]));
  assert.ok(m, 'pprof -top prints a total');
  return Number(m[1]);
}

/** The two value columns of every sample `-raw` prints, summed. */
async function rawSums(file: string): Promise<{ count: number; bytes: number; samples: number }> {
  const text = await pprof(['-raw', file]);
  const rows = text.split('\n').map((l) => /^\s+(\d+)\s+(\d+):/.exec(l)).filter((m): m is RegExpExecArray => m !== null);
  return { count: rows.reduce((n, m) => n + Number(m[1]), 0), bytes: rows.reduce((n, m) => n + Number(m[2]), 0), samples: rows.length };
}

/** `-list`'s cum column per line number of `file`. */
async function listCum(profile: string, regexp: string, index: string, extra: string[] = []): Promise<Map<number, number>> {
  // -unit=B: bytes as whole numbers (`3708452B`), not `3.54MB`.
  const text = await pprof(['-list', regexp, `-sample_index=${index}`, '-unit=B', ...extra, profile]);
  const cum = new Map<number, number>();
  for (const l of text.split('\n')) {
    const m = /^\s+(\S+)\s+(\d+)B?\s+(\d+):/.exec(l);
    if (m) cum.set(Number(m[3]), (cum.get(Number(m[3])) ?? 0) + Number(m[2]));
  }
  return cum;
}

/** `-peek`'s callers of one function: name → count. */
async function peekCallers(profile: string, fn: string): Promise<Map<string, number>> {
  const text = await pprof(['-peek', `^${fn.replace(/\./g, '\\.')}$`, '-sample_index=alloc_objects', profile]);
  const callers = new Map<string, number>();
  for (const l of text.split('\n')) {
    if (new RegExp(`\\| ${fn.replace(/\./g, '\\.')}\\s*$`).test(l)) break;
    const m = /^\s+(\d+)\s+\S+%\s+\|\s+(\S+)\s*$/.exec(l);
    if (m) callers.set(m[2], Number(m[1]));
  }
  return callers;
}

function lineAt(report: MallocReport, file: string, line: number): LineTally {
  const found = report.lines.find((l) => l.file === file && l.line === line);
  assert.ok(found, `the report has ${path.basename(file)}:${line}`);
  return found;
}

/** Sum of the caller chains whose nearest frame (the last) is `function` at `line`. */
function fromCaller(callers: CallerTally[], fn: string, line?: number): number {
  return callers.filter((c) => c.frames.at(-1)?.function === fn && (line === undefined || c.frames.at(-1)?.line === line)).reduce((n, c) => n + c.count, 0);
}

describe('pprof: count --pprof and show, read and written by the real go tool pprof', function () {
  this.timeout(300_000);
  let work: string;
  before(() => {
    work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-pprof-'));
  });
  after(() => rmSync(work, { recursive: true, force: true }));
  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(), [], 'no dlv or debuggee process is left behind');
  });

  for (const engine of ['fast', 'breakpoints']) {
    it(`count --pprof, ${engine} engine: pprof's totals, lines and callers are the report's, and the report's are the runtime's`, async () => {
      const profile = path.join(work, `${engine}.pb.gz`);
      const reportFile = path.join(work, `${engine}.json`);
      const oracleFile = path.join(work, `${engine}-oracle.json`);
      const cli = await runCli(['count', '--engine', engine, '--json', '-o', reportFile, '--pprof', profile, CALLERS], { env: { MALLOCLENS_ORACLE_OUT: oracleFile } });
      assert.equal(cli.code, 0, cli.stderr);
      const report = JSON.parse(readFileSync(reportFile, 'utf8')) as MallocReport;
      assert.equal(report.stacks, undefined, 'the JSON report keeps its shape; the stacks went to the profile');
      const [callA, callB, deep, ...cases] = parseOracle(readFileSync(oracleFile, 'utf8')).deltas;
      const main = path.join(CALLERS, 'main.go');

      // The report against the runtime: each caller's share of mk's line, and the direct lines.
      const mk = lineAt(report, main, markedLine(main, 'mk'));
      const callers = mk.callers ?? [];
      assert.equal(fromCaller(callers, 'main.fromA', markedLine(main, 'callA')), callA);
      assert.equal(fromCaller(callers, 'main.fromB', markedLine(main, 'callB')), callB);
      assert.equal(fromCaller(callers, 'main.deep'), deep);
      assert.deepEqual(callers.find((c) => c.frames.at(-1)?.function === 'main.fromA')?.frames.map((f) => f.function), ['main.main', 'main.fromA'], 'outermost first');
      // (Delve gives the package's init frame no source line; the runtime's profile does.)
      assert.equal(fromCaller(callers, 'main.init') > 0, true, 'package init is a caller of its own');
      assert.equal(callers.reduce((n, c) => n + c.count, 0), mk.count);
      // 200 recursive calls: deeper than the runtime's profile records (128), not deeper than Delve's stacks malloclens reads.
      const deepCaller = callers.find((c) => c.frames.at(-1)?.function === 'main.deep')!;
      assert.equal(deepCaller.truncated === true, engine === 'fast', `the deep caller's stack truncated: ${JSON.stringify(deepCaller)}`);
      for (const [i, line] of caseLines(main).entries()) assert.equal(withRuntimeShare(lineAt(report, main, line)), cases[i], `line ${line}`);
      if (engine === 'fast') assert.equal(report.check?.complete, true, JSON.stringify(report.check));

      // The profile against the report.
      assert.equal(await pprofTotal(profile, 'alloc_objects'), report.total.count);
      assert.deepEqual(await rawSums(profile).then(({ count, bytes }) => ({ count, bytes })), report.total);
      const cum = await listCum(profile, '^main\\.', 'alloc_objects');
      for (const line of [mk.line, ...caseLines(main)]) assert.equal(cum.get(line), withRuntimeShare(lineAt(report, main, line)), `pprof -list at line ${line}`);
      const peek = await peekCallers(profile, 'main.mk');
      assert.deepEqual(
        Object.fromEntries([...peek].sort()),
        Object.fromEntries(['main.fromA', 'main.fromB', 'main.deep', 'main.init'].map((f) => [f, fromCaller(callers, f)]).sort()),
        'pprof -peek: the immediate callers of main.mk',
      );
      console.log(`      ${engine}: report ${report.total.count} allocations / ${report.total.bytes} B; pprof -top ${await pprofTotal(profile, 'alloc_objects')}; oracle callA ${callA} callB ${callB} deep ${deep} cases ${cases.join(',')}`);
    });
  }

  it('show: allocs and heap profiles written by runtime/pprof (gzipped and not, -trimpath) and go test -memprofile, figures as go tool pprof -list', async () => {
    const gz = path.join(work, 'allocs.pb.gz');
    const plain = path.join(work, 'allocs.pb');
    const test = path.join(work, 'test.pb.gz');
    const env = markedEnv();
    for (const [file, ...extra] of [[gz], [plain, '-gz=false']]) {
      const run = await runCommand('go', ['run', '.', file, ...extra], { cwd: MEMPROFILE, env });
      assert.equal(run.code, 0, run.stderr);
    }
    // Built as for production with -trimpath: the profile names files by module path.
    const trimmed = path.join(work, 'trimpath.pb.gz');
    const trimRun = await runCommand('go', ['run', '-trimpath', '.', trimmed], { cwd: MEMPROFILE, env });
    assert.equal(trimRun.code, 0, trimRun.stderr);
    const heap = path.join(work, 'heap.pb.gz');
    const heapRun = await runCommand('go', ['run', '.', heap], { cwd: MEMPROFILE, env: { ...env, PROFILE: 'heap' } });
    assert.equal(heapRun.code, 0, heapRun.stderr);
    const goTest = await runCommand('go', ['test', '-run', 'TestSmall', '-memprofile', test, '-memprofilerate', '2048', '-o', path.join(work, 'memprofile.test'), '.'], { cwd: MEMPROFILE, env });
    assert.equal(goTest.code, 0, goTest.stderr + goTest.stdout);
    const main = path.join(MEMPROFILE, 'main.go');
    for (const file of [gz, plain, heap, trimmed, test]) {
      const shown = await runCli(['show', '--json', file], { cwd: MEMPROFILE });
      assert.equal(shown.code, 0, shown.stderr);
      const report = JSON.parse(shown.stdout) as MallocReport;
      assert.equal(report.sampled?.kind, 'alloc');
      assert.equal(report.sampled?.rate, file === test ? 2048 : 4096, 'the profile\'s period is the MemProfileRate it was taken at');
      assert.equal(await pprofTotal(file, 'alloc_objects'), report.total.count);
      // go tool pprof too must be told where a -trimpath build's files are.
      const sources = file === trimmed ? [`-source_path=${MEMPROFILE}`, '-trim_path=example.com/memprofile'] : [];
      const cum = await listCum(file, '\\.(small|big|maps)$', 'alloc_objects', sources);
      const ours = report.lines.filter((l) => l.file === main);
      assert.ok(ours.length >= (file === test ? 1 : 3), `${path.basename(file)}: lines ${JSON.stringify(ours.map((l) => l.line))}`);
      for (const l of ours) assert.equal(l.count, cum.get(l.line), `${path.basename(file)} line ${l.line}: pprof -list`);
      const bytes = await listCum(file, '\\.(small|big|maps)$', 'alloc_space', sources);
      for (const l of ours) assert.equal(l.bytes, bytes.get(l.line), `${path.basename(file)} line ${l.line}: pprof -list, alloc_space`);
    }
    // What was still live at the last GC: the heap profile's default, on request.
    const inuse = await runCli(['show', '--json', '--inuse', heap], { cwd: MEMPROFILE });
    assert.equal(inuse.code, 0, inuse.stderr);
    const inuseReport = JSON.parse(inuse.stdout) as MallocReport;
    assert.equal(inuseReport.sampled?.kind, 'inuse');
    assert.equal(await pprofTotal(heap, 'inuse_objects'), inuseReport.total.count);
    const inuseCum = await listCum(heap, '\\.(small|big|maps)$', 'inuse_objects');
    const live = inuseReport.lines.filter((l) => l.file === main);
    assert.ok(live.length >= 2, 'the strings and maps are still live');
    for (const l of live) assert.equal(l.count, inuseCum.get(l.line), `inuse line ${l.line}`);
    const allocated = JSON.parse((await runCli(['show', '--json', heap], { cwd: MEMPROFILE })).stdout) as MallocReport;
    for (const l of live) assert.ok(l.count <= allocated.lines.find((a) => a.line === l.line)!.count, `line ${l.line}: no more in use than allocated`);

    const table = await runCli(['show', gz], { cwd: MEMPROFILE });
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /main\.go:\d+\s+main\.small\s+≈[\d,]+/, 'sampled figures are marked ≈');
    assert.match(table.stdout, /one sample per 4\.0 KiB/);
  });

  it('show: clear errors for a file that is no profile, or a profile without the asked samples', async () => {
    const junk = path.join(work, 'junk.pb.gz');
    writeFileSync(junk, 'not a profile at all');
    const bad = await runCli(['show', junk]);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /not a pprof profile/);
    const missing = await runCli(['show', path.join(work, 'nothing.pb.gz')]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /cannot read/);
    const exact = path.join(work, 'fast.pb.gz');
    const inuse = await runCli(['show', '--inuse', exact]);
    assert.notEqual(inuse.code, 0);
    assert.match(inuse.stderr, /no inuse_objects and inuse_space samples \(it has alloc_objects, alloc_space\)/);
  });
});
