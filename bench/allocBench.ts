/**
 * `npm run bench`: what counting costs, measured side by side in one run on one binary.
 *
 *   (a) the program under Delve, no breakpoints
 *   (b) Delve's own floor: the same allocator breakpoints, handled inside Delve and never reported
 *       (a hit condition that is never true)
 *   (c) malloclens counting the whole run
 *   (d) the least any stop-based counter can do: the same breakpoints, every stop reported to a
 *       client that just continues (no stack, no size). This is Delve's DAP stop cost, the part of
 *       (c) that no proxy can remove.
 *
 * Rounds are interleaved (a b c a b c …) so that machine noise falls on all three alike; the
 * median of each is reported, with the per-hit costs and the ratio (c−a)/(b−a).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { allocatorsFor } from '../src/core/allocators';
import { formatVersion, parseVersion } from '../src/core/versions';
import { AllocationSession, createAllocationSession } from '../src/dap/sessionChoice';
import { locateDelve, Delve } from '../src/dap/delveLocator';
import { DelveProcess } from '../src/dap/delveProcess';
import { buildProgram, userCodeRoots } from '../src/dap/goToolchain';
import { HeadlessClient } from '../src/dap/headlessClient';
import { memoryConnectionPair } from '../src/dap/memoryConnection';
import { DapProxy } from '../src/dap/proxy';

const ALLOCATIONS = Number(process.env.BENCH_ALLOCATIONS ?? 3000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);

type Mode = 'plain' | 'floor' | 'engine' | 'bare';
const MODES: Mode[] = ['plain', 'floor', 'engine', 'bare'];

interface Sample {
  ms: number;
  hits?: number;
}

async function timeRun(mode: Mode, delve: Delve, binary: string, goVersion: string, packageDir: string): Promise<Sample> {
  const dlv = await DelveProcess.start({ delve, cwd: packageDir, stdio: 'pipe' });
  try {
    let client: HeadlessClient;
    let session: AllocationSession | undefined;
    if (mode === 'engine') {
      const [clientSide, proxySide] = memoryConnectionPair();
      const proxy = new DapProxy(proxySide, dlv.connection);
      session = createAllocationSession(proxy, {
        roots: await userCodeRoots(packageDir, process.env), delveVersion: formatVersion(delve.version), goVersion, buildFlags: '',
      });
      proxy.setHooks(session.hooks());
      client = new HeadlessClient(clientSide);
    } else {
      client = new HeadlessClient(dlv.connection);
    }
    const terminated = client.waitFor('terminated');
    await client.request('initialize', { adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true });
    await client.request('launch', { request: 'launch', mode: 'exec', program: binary, args: [String(ALLOCATIONS)], env: { GOMAXPROCS: '1' } });
    let bareHits = 0;
    if (mode === 'floor' || mode === 'bare') {
      const names = [...allocatorsFor(parseVersion(goVersion)!).functions, 'runtime.exit'];
      const hitCondition = mode === 'floor' ? '> 1000000000' : undefined;
      await client.request('setFunctionBreakpoints', { breakpoints: names.map((name) => ({ name, hitCondition })) });
      client.onEvent((event) => {
        if (event.event !== 'stopped') return;
        bareHits += 1;
        void client.request('continue', { threadId: (event.body as { threadId?: number }).threadId ?? 0 });
      });
    }
    const start = process.hrtime.bigint();
    await client.request('configurationDone');
    await terminated;
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    const report = session?.report();
    await client.request('disconnect', { terminateDebuggee: true });
    return { ms, hits: report ? report.total.count + (report.check?.skipped ?? 0) : mode === 'bare' ? bareHits : undefined };
  } finally {
    await dlv.stop();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function main(): Promise<void> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-bench-'));
  try {
    const built = await buildProgram({
      target: path.resolve(__dirname, '../../bench/program'), test: false, optimized: false,
      output: path.join(work, 'program'), env: process.env,
    });
    const delve = await locateDelve({ go: parseVersion(built.goVersion)!, install: true, notify: (m) => console.error(m) });
    const samples: Record<Mode, Sample[]> = { plain: [], floor: [], engine: [], bare: [] };
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of MODES) {
        samples[mode].push(await timeRun(mode, delve, built.binary, built.goVersion, built.packageDir));
      }
      console.error(`round ${round}/${ROUNDS}: ${MODES.map((m) => `${m} ${samples[m][round - 1].ms.toFixed(0)} ms`).join(', ')}`);
    }
    const a = median(samples.plain.map((s) => s.ms));
    const b = median(samples.floor.map((s) => s.ms));
    const c = median(samples.engine.map((s) => s.ms));
    const d = median(samples.bare.map((s) => s.ms));
    const hits = median(samples.engine.map((s) => s.hits ?? 0));
    const ratio = (c - a) / (b - a);
    const perHit = (ms: number) => `${(((ms - a) / hits) * 1000).toFixed(0)} µs per hit`;
    console.log(`malloclens bench — ${built.goVersion}, Delve ${formatVersion(delve.version)}, ${os.cpus().length} CPUs, ${ROUNDS} interleaved rounds (medians)`);
    console.log(`program: ${ALLOCATIONS} allocations requested; ${hits} allocator hits in the whole run (runtime start-up included)`);
    console.log(`(a) under Delve, no breakpoints           ${a.toFixed(0).padStart(8)} ms`);
    console.log(`(b) Delve's floor: never-true hitCondition ${b.toFixed(0).padStart(7)} ms   ${perHit(b)}`);
    console.log(`(c) malloclens counting the whole run     ${c.toFixed(0).padStart(8)} ms   ${perHit(c)}`);
    console.log(`(d) every stop reported, then continue    ${d.toFixed(0).padStart(8)} ms   ${perHit(d)}   (no stack, no size: Delve's cost of reporting a stop)`);
    console.log(`ratio (c−a)/(b−a) = ${ratio.toFixed(2)}   (target ≤ 1.5; a bare reported stop alone is (d−a)/(b−a) = ${((d - a) / (b - a)).toFixed(2)})`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`bench failed: ${(e as Error).stack ?? e}`);
  process.exitCode = 1;
});
