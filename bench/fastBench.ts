/**
 * `npm run bench`, fast mode: what counting 100,000 allocations costs with the runtime's own
 * profile, measured side by side in one run on one binary (bench/fastProgram, debug build as
 * `count --fast` builds it):
 *
 *   (n) the program alone, no debugger
 *   (p) the program alone, recording every allocation itself (runtime.MemProfileRate = 1): the
 *       runtime's own price for what fast mode turns on, which no debugger-side work can remove
 *   (a) the program under plain Delve, no breakpoints: Delve's start to the program's end
 *   (ap) the same, the program recording every allocation itself: what fast mode could cost at best
 *   (f) the same under fast mode, to the report
 *   (g) the cached `go build` both `count --fast` and `dlv debug` start with
 *
 * and beside them the breakpoint engine's time for the same allocations, projected from its cost
 * per allocation measured on a small run (100,000 stops would take minutes). Rounds are interleaved
 * so that machine noise falls on all alike; medians are reported.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../src/core/report';
import { formatVersion, parseVersion } from '../src/core/versions';
import { locateDelve, Delve } from '../src/dap/delveLocator';
import { DelveProcess } from '../src/dap/delveProcess';
import { buildProgram, BuiltProgram, userCodeRoots } from '../src/dap/goToolchain';
import { HeadlessClient } from '../src/dap/headlessClient';
import { memoryConnectionPair } from '../src/dap/memoryConnection';
import { DapProxy } from '../src/dap/proxy';
import { createAllocationSession } from '../src/dap/sessionChoice';
import { symbolizerBinary } from '../src/dap/fast/symbolizer';

const ALLOCATIONS = Number(process.env.BENCH_FAST_ALLOCATIONS ?? 100_000);
const SMALL = Number(process.env.BENCH_FAST_SMALL ?? 1_500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

type Engine = 'plain' | 'fast' | 'breakpoints';

interface Session {
  ms: number;
  report?: MallocReport;
}

function now(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** One debug session from Delve's start to the program's end (and, counting, to the report). */
async function session(engine: Engine, delve: Delve, built: BuiltProgram, allocations: number, profileEvery = false): Promise<Session> {
  const start = now();
  const dlv = await DelveProcess.start({ delve, cwd: built.packageDir, stdio: 'pipe' });
  try {
    let client: HeadlessClient;
    if (engine === 'plain') {
      client = new HeadlessClient(dlv.connection);
    } else {
      const [clientSide, proxySide] = memoryConnectionPair();
      const proxy = new DapProxy(proxySide, dlv.connection);
      const counting = createAllocationSession(proxy, {
        fast: engine === 'fast', roots: await userCodeRoots(built.packageDir, process.env), delveVersion: formatVersion(delve.version),
        goVersion: built.goVersion, buildFlags: built.buildFlags, binary: built.binary, env: process.env,
      });
      proxy.setHooks(counting.hooks());
      client = new HeadlessClient(clientSide);
    }
    const terminated = client.waitFor('terminated');
    await client.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    const env = profileEvery ? { BENCH_PROFILE_EVERY_ALLOCATION: '1' } : {};
    await client.request('launch', { request: 'launch', mode: 'exec', program: built.binary, args: [String(allocations)], env });
    await client.request('configurationDone');
    await terminated;
    const report = engine === 'plain' ? undefined : ((await client.request('malloclens/tally')).body as MallocReport);
    await client.request('disconnect', { terminateDebuggee: true });
    await dlv.stop();
    return { ms: now() - start, report };
  } finally {
    await dlv.stop();
  }
}

function runAlone(binary: string, allocations: number, profileEvery: boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = now();
    const env = { ...process.env, ...(profileEvery ? { BENCH_PROFILE_EVERY_ALLOCATION: '1' } : {}) };
    const child = spawn(binary, [String(allocations)], { env, stdio: 'ignore' });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(now() - start) : reject(new Error(`the program exited ${code}`))));
  });
}

async function cachedBuild(output: string): Promise<number> {
  const start = now();
  await buildProgram({ target: path.resolve(__dirname, '../../bench/fastProgram'), test: false, optimized: false, output, env: process.env });
  return now() - start;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const ms = (v: number) => `${v.toFixed(0).padStart(7)} ms`;
const count = (v: number) => v.toLocaleString('en-US');

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-fastbench-'));
  try {
    const built = await buildProgram({
      target: path.resolve(__dirname, '../../bench/fastProgram'), test: false, optimized: false, output: path.join(work, 'program'), env: process.env,
    });
    const delve = await locateDelve({ go: parseVersion(built.goVersion)!, install: true, notify: (m) => console.error(m) });
    await symbolizerBinary(process.env); // built once per Go version; not part of any count
    const samples = { alone: [] as number[], profiled: [] as number[], plain: [] as number[], plainProfiled: [] as number[], fast: [] as number[], build: [] as number[], smallPlain: [] as number[], smallBreakpoints: [] as number[] };
    let fastReport: MallocReport | undefined;
    let smallHits = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      samples.alone.push(await runAlone(built.binary, ALLOCATIONS, false));
      samples.profiled.push(await runAlone(built.binary, ALLOCATIONS, true));
      samples.plain.push((await session('plain', delve, built, ALLOCATIONS)).ms);
      samples.plainProfiled.push((await session('plain', delve, built, ALLOCATIONS, true)).ms);
      const fast = await session('fast', delve, built, ALLOCATIONS);
      samples.fast.push(fast.ms);
      fastReport = fast.report;
      samples.build.push(await cachedBuild(path.join(work, 'rebuilt')));
      samples.smallPlain.push((await session('plain', delve, built, SMALL)).ms);
      const small = await session('breakpoints', delve, built, SMALL);
      samples.smallBreakpoints.push(small.ms);
      smallHits = (small.report?.total.count ?? 0) + (small.report?.check?.skipped ?? 0);
      console.error(`round ${round}/${ROUNDS}: plain ${samples.plain[round - 1].toFixed(0)} ms, fast ${fast.ms.toFixed(0)} ms, breakpoints on ${count(SMALL)}: ${small.ms.toFixed(0)} ms`);
    }
    const [n, p, a, ap, f, g] = [samples.alone, samples.profiled, samples.plain, samples.plainProfiled, samples.fast, samples.build].map(median);
    const perHit = (median(samples.smallBreakpoints) - median(samples.smallPlain)) / smallHits;
    const counted = fastReport?.total.count ?? 0;
    const lines = (fastReport?.lines ?? []).slice(0, 3).map((l) => `${path.basename(l.file)}:${l.line} ${count(l.count)}`).join(', ');
    console.log(`malloclens fast-mode bench — ${built.goVersion}, Delve ${formatVersion(delve.version)}, ${os.cpus().length} CPUs, ${ROUNDS} interleaved rounds (medians), ${built.buildFlags || 'optimized'} build`);
    console.log(`program: ${count(ALLOCATIONS)} allocations requested on 3 lines; fast mode counted ${count(counted)} in the run (${lines}, the rest the runtime's)`);
    console.log(`(n) the program alone                          ${ms(n)}`);
    console.log(`(p) the program alone, recording every alloc    ${ms(p)}   the runtime's own profiler: ${((p - n) / ALLOCATIONS * 1000).toFixed(1)} µs per allocation`);
    console.log(`(a) under plain dlv, no breakpoints             ${ms(a)}   Delve's start to the program's end`);
    console.log(`(ap) under plain dlv, recording every alloc     ${ms(ap)}   the least fast mode could cost: ap/a = ${(ap / a).toFixed(2)}`);
    console.log(`(f) malloclens count --fast                     ${ms(f)}   to the report; fast mode's own share f/ap = ${(f / ap).toFixed(2)}`);
    console.log(`    ratio f/a = ${(f / a).toFixed(2)}   (target ≤ 2; the runtime's profiler alone adds (p−n)/a = ${((p - n) / a).toFixed(2)})`);
    console.log(`(g) with the cached build both commands start with (${g.toFixed(0)} ms): (f+g)/(a+g) = ${((f + g) / (a + g)).toFixed(2)}`);
    console.log(`breakpoint engine, projected for the same ${count(counted)} allocations: ${((a + perHit * counted) / 1000).toFixed(1)} s   (${(perHit * 1000).toFixed(0)} µs per allocation, measured on ${count(smallHits)})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
