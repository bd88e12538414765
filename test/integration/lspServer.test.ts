/**
 * `malloclens lsp` with a plain LSP client over stdio: lenses above every make(...) statement and
 * every function, a statement counted through workspace/executeCommand (breakpoint engine) and a
 * whole run (fast engine), each equal to the MemStats deltas the corpus program measured around
 * the same statements; then the lens, the hover and the inlay hint carry the count. In a _test.go
 * file, "count allocs/op" above each benchmark, counted per op (malloclens.benchtime asked of the
 * client) equal to testing.Benchmark's and -benchmem's own figures for the same benchmark, and
 * "count mallocs" above a test, that test's run alone.
 */
import * as assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { formatScopedAmount } from '../../src/core/amountText';
import type { BenchmarkReport } from '../../src/core/benchmarkWindows';
import type { MallocReport } from '../../src/core/report';
import { BenchmarkOracle, benchmarkOracle, writableCopy } from './benchOracle';
import { caseLines, FIXTURES, leftovers, measureUndisturbed, mismatches, oracleRows, parseOracle, waitForNoLeftovers } from './helpers';
import { LspClient, startLspClient } from './support/lspClient';

interface Lens { range: { start: { line: number; character: number } }; command: { title: string; command: string; arguments?: unknown[] } }

describe('malloclens lsp: a plain LSP client over stdio', function () {
  this.timeout(300_000);

  const main = path.join(FIXTURES, 'corpus', 'main.go');
  const uri = pathToFileURL(main).toString();
  const source = readFileSync(main, 'utf8');
  const lines = source.split('\n');
  let work: string;
  let oracleFile: string;
  let client: LspClient;

  before(async () => {
    work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-lsp-'));
    oracleFile = path.join(work, 'deltas.json');
    client = await startLspClient({ MALLOCLENS_ORACLE_OUT: oracleFile });
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1, text: source } });
  });

  after(async () => {
    if (client) assert.equal(await client.close(), 0, client.stderr());
    rmSync(work, { recursive: true, force: true });
    assert.deepEqual(await waitForNoLeftovers(), [], 'no Delve or program outlives the server');
  });

  const lenses = () => client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Promise<Lens[]>;

  it('puts "count mallocs" above every make(...) statement and "count one call" above every function', async () => {
    // The expectation by plain text search: the corpus has no make( in strings or comments.
    const makeLines = lines.flatMap((l, i) => (/\bmake\(/.test(l) ? [i + 1] : []));
    const funcLines = lines.flatMap((l, i) => (/^func /.test(l) ? [i + 1] : []));
    const got = await lenses();
    const at = (title: string) => got.filter((l) => l.command.title === title).map((l) => l.range.start.line + 1);
    assert.deepEqual(at('count mallocs'), makeLines);
    assert.deepEqual(at('count one call'), funcLines);
    for (const l of got) assert.equal(l.command.command, 'malloclens.countStatement');
    console.log(`    ${makeLines.length} "count mallocs" lenses, ${funcLines.length} "count one call"`);
  });

  it('counts a statement from its lens\'s command as the runtime measured it, and the lens, hover and inlay hint say so', async () => {
    const line = lines.findIndex((l) => l.includes('sinkMap = make(map[int]int, 1000) // case')) + 1;
    const lens = (await lenses()).find((l) => l.range.start.line + 1 === line)!;
    const started = Date.now();
    const report = (await client.connection.sendRequest('workspace/executeCommand', lens.command)) as MallocReport;
    const seconds = (Date.now() - started) / 1000;
    const { deltas } = parseOracle(readFileSync(oracleFile, 'utf8'));
    const runtime = deltas[caseLines(main).indexOf(line)];
    console.log(`    main.go:${line}: runtime ${runtime} mallocs, counted ${report.total.count} (breakpoint engine, ${seconds.toFixed(1)} s)`);
    assert.equal(report.scope, 'line');
    assert.equal(report.engine ?? 'breakpoints', 'breakpoints');
    assert.equal(report.total.count, runtime);
    assert.ok(client.progress.length > 0, 'progress was reported');
    assert.equal(client.reports.length, 1, 'the report went to the client');

    const after = (await lenses()).find((l) => l.range.start.line + 1 === line)!;
    assert.equal(after.command.title, `count mallocs · ${formatScopedAmount(report.total, 'line')}`);
    const hover = (await client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: line - 1, character: 4 } })) as { contents: { value: string } };
    assert.ok(hover.contents.value.includes(`**${formatScopedAmount(report.lines.find((l) => l.line === line)!, 'line')}**`), hover.contents.value);
    assert.match(hover.contents.value, /first execution of this statement/);
    assert.match(hover.contents.value, /Escape analysis/);
    const hints = (await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: lines.length, character: 0 } } })) as { position: { line: number }; label: string }[];
    assert.deepEqual(hints.filter((h) => h.position.line === line - 1).map((h) => h.label), [formatScopedAmount(report.lines.find((l) => l.line === line)!, 'line')]);
  });

  it('counts a whole run (fast engine) equal to every delta the program measured', async () => {
    const started = Date.now();
    const report = (await client.connection.sendRequest('workspace/executeCommand', { command: 'malloclens.countRun', arguments: [uri] })) as MallocReport;
    const seconds = (Date.now() - started) / 1000;
    const rows = oracleRows(report, readFileSync(oracleFile, 'utf8'), main);
    console.log(`    whole run: ${rows.length} statements, ${rows.filter((r) => r.runtime === r.counted).length} equal to the runtime's deltas (${report.engine} engine, ${seconds.toFixed(1)} s)`);
    assert.equal(report.engine, 'fast');
    assert.equal(report.scope, 'run');
    assert.deepEqual(mismatches({ rows, report }), []);
  });

  it('follows malloclens.codeLens.enabled as VS Code pushes it (workspace/didChangeConfiguration)', async () => {
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { malloclens: { codeLens: { enabled: false } } } });
    assert.deepEqual(await lenses(), []);
    await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { malloclens: { codeLens: { enabled: true } } } });
    assert.ok((await lenses()).length > 0);
  });

  it('answers a count of a file that is not on disk with an error, not a silent nothing', async () => {
    await assert.rejects(client.connection.sendRequest('workspace/executeCommand', { command: 'malloclens.countStatement', arguments: ['untitled:Untitled-1', 3, 3] }), /file: URIs/);
  });
});

describe('malloclens lsp: "count allocs/op" above a benchmark', function () {
  this.timeout(300_000);

  const BENCHMARK = 'BenchmarkStopStart';
  const BENCHTIME = '40x';
  // One P on both sides, as bench.test.ts: a thread the runtime starts inside a timed window is in neither figure.
  const ONE_P = { GOMAXPROCS: '1' };
  let copy: ReturnType<typeof writableCopy>;
  let file: string;
  let uri: string;
  let oracle: BenchmarkOracle;
  let client: LspClient;

  before(async () => {
    copy = writableCopy(path.join(FIXTURES, 'benchops'), 'benchops');
    file = path.join(copy.dir, 'benchops_test.go');
    uri = pathToFileURL(file).toString();
    oracle = await benchmarkOracle(copy.dir, { bench: `^${BENCHMARK}$`, exact: [BENCHMARK], benchtime: BENCHTIME, env: ONE_P });
    client = await startLspClient(ONE_P, { malloclens: { benchtime: BENCHTIME } });
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1, text: readFileSync(file, 'utf8') } });
  });

  after(async () => {
    if (client) assert.equal(await client.close(), 0, client.stderr());
    copy?.remove();
    assert.deepEqual(await waitForNoLeftovers(), [], 'no Delve or program outlives the server');
  });

  const lenses = () => client.connection.sendRequest('textDocument/codeLens', { textDocument: { uri } }) as Promise<Lens[]>;

  it('offers "count allocs/op" above each benchmark and "count mallocs" above each test; run, it gives testing\'s own figures per op', async () => {
    const source = readFileSync(file, 'utf8').split('\n');
    const funcs = (re: RegExp) => source.flatMap((l, i) => (re.test(l) ? [i + 1] : []));
    const got = await lenses();
    const at = (title: string) => got.filter((l) => l.command.title === title).map((l) => l.range.start.line + 1);
    assert.deepEqual(at('count allocs/op'), funcs(/^func Benchmark\w*\(b \*testing\.B\)/));
    assert.deepEqual(at('count mallocs').filter((line) => /^func /.test(source[line - 1])), funcs(/^func Test\w*\(t \*testing\.T\)/));
    assert.deepEqual(at('count one call'), funcs(/^func (?!Benchmark|Test)/));

    const funcLine = source.findIndex((l) => l.startsWith(`func ${BENCHMARK}(`)) + 1;
    const lens = got.find((l) => l.range.start.line + 1 === funcLine && l.command.title === 'count allocs/op')!;
    assert.deepEqual(lens.command.arguments?.slice(3), [BENCHMARK, 'count allocs/op', { name: BENCHMARK, kind: 'benchmark' }]);
    const exact = oracle.exact.get(BENCHMARK)!;
    const benchmem = oracle.benchmem.get(BENCHMARK)!;
    const total = (b: BenchmarkReport) => b.unattributed.allocs + b.lines.reduce((n, l) => n + l.allocs + (l.runtime?.allocs ?? 0), 0);
    // As bench.test.ts: debugger stops stretch the run, and the runtime's background work can land in a timed window; counted again then.
    const started = Date.now();
    const report = await measureUndisturbed(
      async () => (await client.connection.sendRequest('workspace/executeCommand', lens.command)) as MallocReport,
      (r) => (r.benchmarks?.[0] ? total(r.benchmarks[0]) > exact.allocs : false),
    );
    const seconds = (Date.now() - started) / 1000;
    assert.equal(report.scope, 'op');
    assert.equal(report.engine, 'fast');
    const b = report.benchmarks?.[0];
    assert.ok(b && b.name === BENCHMARK, JSON.stringify(report.benchmarks?.map((x) => x.name)));
    console.log(`    ${BENCHMARK}: ${total(b)}/${b.n} allocs = ${report.total.count} allocs/op, ${report.total.bytes} B/op (testing.Benchmark: ${exact.allocs} allocs, ${exact.bytes} B over ${exact.n}; -benchmem ${benchmem.allocsPerOp} allocs/op, ${benchmem.bytesPerOp} B/op; ${seconds.toFixed(1)} s)`);
    assert.equal(b.n, exact.n, 'b.N as testing.Benchmark ran it (malloclens.benchtime reached the run)');
    assert.equal(total(b), exact.allocs, "every allocation of the timed runs, against testing.Benchmark's MemAllocs");
    assert.equal(report.total.count, exact.allocs / exact.n, 'allocs/op');
    assert.equal(report.total.bytes, exact.bytes / exact.n, "B/op against testing.Benchmark's MemBytes");
    assert.equal(Math.trunc(report.total.count), benchmem.allocsPerOp, "allocs/op against -benchmem's");
    assert.equal(Math.trunc(report.total.bytes), benchmem.bytesPerOp, "B/op against -benchmem's");

    const filed = client.reports.at(-1) as { label: string; report: MallocReport };
    assert.equal(filed.label, `benchops_test.go:${funcLine} · ${BENCHMARK} · per op`, 'the report went to the client, for its tree');
    assert.equal(filed.report.scope, 'op');
    const after = (await lenses()).find((l) => l.range.start.line + 1 === funcLine)!;
    assert.equal(after.command.title, `count allocs/op · ${formatScopedAmount(report.total, 'op')}`);
    const hints = (await client.connection.sendRequest('textDocument/inlayHint', { textDocument: { uri }, range: { start: { line: 0, character: 0 }, end: { line: source.length, character: 0 } } })) as { position: { line: number }; label: string }[];
    const inFile = b.lines.filter((l) => l.file === file);
    assert.ok(inFile.length > 0, 'lines of the benchmark file were charged');
    for (const l of inFile) {
      assert.deepEqual(hints.filter((h) => h.position.line === l.line - 1).map((h) => h.label), [formatScopedAmount({ count: l.allocsPerOp, bytes: l.bytesPerOp }, 'op')], `line ${l.line}`);
    }
  });

  it('"count mallocs" above a test runs that test alone, every allocation the runtime counted accounted for', async () => {
    const source = readFileSync(file, 'utf8').split('\n');
    const funcLine = source.findIndex((l) => l.startsWith('func TestNewRecord(')) + 1;
    const lens = (await lenses()).find((l) => l.range.start.line + 1 === funcLine)!;
    assert.equal(lens.command.title, 'count mallocs');
    const report = (await client.connection.sendRequest('workspace/executeCommand', lens.command)) as MallocReport;
    assert.equal(report.scope, 'run');
    assert.equal(report.program?.exitCode ?? 0, 0, 'the test passed');
    assert.ok(report.check?.runtimeMallocs !== undefined && report.check.counted === report.check.runtimeMallocs, `the runtime's own count: ${JSON.stringify(report.check)}`);
    const ops = path.join(copy.dir, 'ops.go');
    const opsSource = readFileSync(ops, 'utf8').split('\n');
    const charged = (fn: string) => report.lines.filter((l) => l.file === ops && l.function.endsWith(`.${fn}`)).map((l) => opsSource[l.line - 1].trim());
    assert.ok(charged('NewRecord').length > 0, 'TestNewRecord ran');
    assert.deepEqual(charged('Index'), [], 'TestIndex did not run (-test.run=^TestNewRecord$)');
    const after = (await lenses()).find((l) => l.range.start.line + 1 === funcLine)!;
    assert.equal(after.command.title, `count mallocs · ${formatScopedAmount(report.total, 'run')}`);
    assert.equal((client.reports.at(-1) as { label: string }).label, `benchops_test.go:${funcLine} · TestNewRecord`);
    console.log(`    TestNewRecord: ${formatScopedAmount(report.total, 'run')} (${report.engine} engine; the runtime counted ${report.check.runtimeMallocs})`);
  });

  it('refuses a malformed benchmark argument in words', async () => {
    await assert.rejects(client.connection.sendRequest('workspace/executeCommand', { command: 'malloclens.countStatement', arguments: [uri, 24, 33, 'x', 'count allocs/op', { name: 'helper' }] }), /test must be/);
  });
});

describe('malloclens lsp: the client goes while a count runs', function () {
  this.timeout(180_000);

  const main = path.join(FIXTURES, 'sleeper', 'main.go');
  const uri = pathToFileURL(main).toString();

  /** Starts a whole run of the minute-long sleeper and resolves once its Delve is running. */
  async function countingClient(): Promise<{ client: LspClient; count: Promise<unknown> }> {
    const client = await startLspClient();
    await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'go', version: 1, text: readFileSync(main, 'utf8') } });
    const count = client.connection.sendRequest('workspace/executeCommand', { command: 'malloclens.countRun', arguments: [uri] });
    count.catch(() => undefined);
    const deadline = Date.now() + 120_000;
    while (!(await leftovers()).some((p) => / dap /.test(p) || /\/program /.test(p))) {
      if (Date.now() > deadline) throw new Error(`Delve never started: ${client.stderr()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    return { client, count };
  }

  it('shutdown stops the count, its Delve and the program, then exit ends the server with status 0', async () => {
    const { client, count } = await countingClient();
    // A second count of the same file while one runs is refused, in words.
    assert.equal(await client.connection.sendRequest('workspace/executeCommand', { command: 'malloclens.countStatement', arguments: [uri, 13] }), null);
    assert.ok(client.messages.some((m) => /already counting sleeper; one count per file at a time/.test(m.message)), JSON.stringify(client.messages));
    const started = Date.now();
    assert.equal(await client.close(), 0, client.stderr());
    console.log(`    shutdown to exit: ${Date.now() - started} ms`);
    assert.deepEqual(await waitForNoLeftovers(5000), []);
    assert.equal(await count.then(() => 'answered', () => 'dropped'), 'answered', 'the count was answered before the server went');
  });

  it('a closed stdin (the editor killed) takes Delve and the program with the server', async () => {
    const { client } = await countingClient();
    client.child.stdin.end();
    await new Promise((r) => client.child.once('exit', r));
    assert.deepEqual(await waitForNoLeftovers(5000), []);
  });

  it('a program that does not build: its errors are diagnostics at their lines, and a message says so', async () => {
    const broken = path.join(FIXTURES, 'broken', 'main.go');
    const client = await startLspClient();
    try {
      const brokenUri = pathToFileURL(broken).toString();
      await client.connection.sendNotification('textDocument/didOpen', { textDocument: { uri: brokenUri, languageId: 'go', version: 1, text: readFileSync(broken, 'utf8') } });
      const result = await client.connection.sendRequest('workspace/executeCommand', { command: 'malloclens.countStatement', arguments: [brokenUri, 4] });
      assert.equal(result, null);
      const diagnostics = client.diagnostics.get(brokenUri) as { range: { start: { line: number } }; message: string; source: string }[];
      assert.ok(diagnostics?.length > 0, 'diagnostics were published');
      assert.equal(diagnostics[0].range.start.line + 1, 4);
      assert.match(diagnostics[0].message, /undefined: undefinedThing/);
      assert.equal(diagnostics[0].source, 'malloclens (go build)');
      assert.ok(client.messages.some((m) => /cannot build the program: main\.go:4: undefined: undefinedThing/.test(m.message)), JSON.stringify(client.messages));
    } finally {
      assert.equal(await client.close(), 0);
    }
  });
});
