/**
 * One headless count, as the CLI and the "count mallocs" lens run it: build the program, start
 * Delve, put the counting proxy in front of it, drive a launch to the program's end, and return
 * the report. The program's stdin, stdout and stderr are this process's own.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../core/report';
import { formatVersion, parseVersion } from '../core/versions';
import type { AllocationInspector, LineTarget } from './engine';
import { locateDelve } from './delveLocator';
import { DelveProcess } from './delveProcess';
import { RuntimePatchError } from '../core/runtimePatch';
import { RuntimeOverlay, runtimeOverlay } from './fast/runtimeOverlay';
import { BuildPlace, buildPlace } from './buildPlace';
import { buildProgram, describeTarget, userCodeRoots } from './goToolchain';
import { HeadlessClient } from './headlessClient';
import { memoryConnectionPair } from './memoryConnection';
import { DapProxy } from './proxy';
import { AllocationSession, createAllocationSession } from './sessionChoice';

export interface CountRunOptions {
  target: string;
  test: boolean;
  optimized: boolean;
  programArgs: string[];
  line?: LineTarget;
  /** Looks closer at each counted allocation (statement anatomy); lists them in order in the report. */
  inspector?: AllocationInspector;
  /** Time the test binary's benchmarks: the report's `benchmarks`, per op (needs `-test.bench` in programArgs). */
  benchmarks?: boolean;
  /** Fast mode: read the runtime's own allocation profile instead of stopping at every allocation. */
  fast?: boolean;
  /** The program's working directory. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  dlvPath?: string;
  installDelve: boolean;
  /**
   * 'inherit': the program shares this process's terminal; 'stdoutToStderr': the same, with its
   * stdout on this stderr; 'pipe': its output goes to `onProgramOutput`.
   */
  stdio: 'inherit' | 'stdoutToStderr' | 'pipe';
  /** With stdio 'pipe': what the program writes (read always, so that a chatty program never blocks). */
  onProgramOutput?: (category: 'stdout' | 'stderr', text: string) => void;
  notify: (message: string) => void;
  /** Called about once a second while the program runs, with what has been counted so far. */
  onProgress?: (counted: { count: number; bytes: number }) => void;
  log?: (line: string) => void;
  signal?: AbortSignal;
  /** Put every whole stack in the report (`report.stacks`, for pprof). */
  stacks?: boolean;
}

export class CountError extends Error {}

const PROGRESS_INTERVAL_MS = 1000;

/**
 * Fast mode counts with a runtime whose profile places every allocation, so that no allocation
 * needs a stop. Where the overlay cannot be made, it catches what the profile misses at hidden
 * stops instead, and says so.
 */
async function overlayFor(target: string, options: CountRunOptions): Promise<RuntimeOverlay | undefined> {
  try {
    return await runtimeOverlay(existsSync(target) && statSync(target).isDirectory() ? target : path.dirname(target), options.env);
  } catch (e) {
    if (!(e instanceof RuntimePatchError)) throw e;
    options.notify(`malloclens: ${e.message}; fast mode catches tiny and system-stack allocations at hidden stops instead (slower).`);
    return undefined;
  }
}

export async function countAllocations(options: CountRunOptions): Promise<MallocReport> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-build-'));
  let delve: DelveProcess | undefined;
  let place: BuildPlace | undefined;
  try {
    const target = path.resolve(options.cwd, options.target);
    const runtime = options.fast ? await overlayFor(target, options) : undefined;
    place = buildPlace(
      { target, test: options.test, optimized: options.optimized, runtime: runtime?.kind === 'overlay' ? runtime.file : runtime?.goroot },
      path.join(work, options.test ? 'program.test' : 'program'), options.env,
    );
    // What go says is the user's code does not depend on the build: asked while it runs.
    const rootsAsked = userCodeRoots(describeTarget(target, options.target).dir, options.env).catch((e: Error) => e);
    const built = await buildProgram({
      target, label: options.target, test: options.test, optimized: options.optimized, runtime, output: place.output, env: options.env,
    });
    const go = parseVersion(built.goVersion);
    if (!go) throw new CountError(`unrecognised Go version ${built.goVersion}`);
    const found = await locateDelve({ explicit: options.dlvPath, go, env: options.env, install: options.installDelve, notify: options.notify });
    const roots = await rootsAsked;
    if (roots instanceof Error) throw roots;
    options.signal?.throwIfAborted();

    delve = await DelveProcess.start({ delve: found, cwd: built.packageDir, env: options.env, stdio: options.stdio, withoutDetachedDebugInfo: true });
    if (options.stdio === 'pipe') {
      // Nobody types into a headless run: the program sees end of input instead of waiting forever.
      delve.child.stdin?.end();
      delve.child.stdout?.on('data', (d: Buffer) => options.onProgramOutput?.('stdout', d.toString()));
      delve.child.stderr?.on('data', (d: Buffer) => options.onProgramOutput?.('stderr', d.toString()));
    }
    const [clientSide, proxySide] = memoryConnectionPair();
    const proxy = new DapProxy(proxySide, delve.connection, options.log);
    const session = createAllocationSession(proxy, {
      roots, delveVersion: formatVersion(found.version), goVersion: built.goVersion,
      buildFlags: built.buildFlags, line: options.line, inspector: options.inspector, log: options.log,
      fast: options.fast, benchmarks: options.benchmarks, binary: built.binary, env: options.env, overlaid: runtime !== undefined,
      liveIntervalMs: options.onProgress ? PROGRESS_INTERVAL_MS : 0,
    });
    proxy.setHooks(session.hooks());
    const client = new HeadlessClient(clientSide);
    const progress = options.onProgress && setInterval(() => options.onProgress!(session.tally.totals()), PROGRESS_INTERVAL_MS);
    try {
      return await drive(client, delve, session, built.binary, options);
    } finally {
      clearInterval(progress);
    }
  } finally {
    await delve?.stop();
    place?.release();
    rmSync(work, { recursive: true, force: true });
  }
}

async function drive(client: HeadlessClient, delve: DelveProcess, session: AllocationSession, binary: string, options: CountRunOptions): Promise<MallocReport> {
  const program: { error?: string } = {};
  const terminated = new Promise<void>((resolve) => {
    client.onEvent((event) => {
      if (event.event === 'terminated') resolve();
      if (event.event === 'stopped') void onVisibleStop(client, event as P.StoppedEvent, program);
    });
  });
  const delveGone = delve.exited.then((x) => x);
  const aborted = new Promise<'aborted'>((resolve) => {
    if (options.signal?.aborted) resolve('aborted');
    options.signal?.addEventListener('abort', () => resolve('aborted'), { once: true });
  });

  await must(client.request('initialize', { clientID: 'malloclens', adapterID: 'go', pathFormat: 'path', linesStartAt1: true, columnsStartAt1: true }));
  const initialized = client.waitFor('initialized');
  await must(client.request('launch', {
    request: 'launch', mode: 'exec', program: binary, args: options.programArgs, cwd: options.cwd, env: delve.launchEnv,
  }));
  delve.rememberLaunchedProcesses();
  await initialized;
  await must(client.request('configurationDone'));

  const end = await Promise.race([terminated.then(() => 'done' as const), delveGone.then(() => 'delve' as const), aborted]);
  const stacks = options.stacks === true;
  const report = end === 'delve' ? session.report(stacks) : ((await client.request('malloclens/tally', { stacks })).body as MallocReport | undefined) ?? session.report(stacks);
  if (program.error) report.program = { ...report.program, error: program.error };
  if (end === 'delve') {
    const info = await delveGone;
    report.warnings.push(`Delve exited unexpectedly (${info.signal ?? `exit code ${info.code}`}); the counts stop there.`);
  } else if (end === 'aborted') {
    report.warnings.push('Interrupted: the counts stop where the program was stopped.');
  }
  if (end !== 'delve') await client.request('disconnect', { terminateDebuggee: true });
  client.close();
  return report;
}

/** No user is watching: report panics, and let the program run on as it would without a debugger. */
async function onVisibleStop(client: HeadlessClient, event: P.StoppedEvent, program: { error?: string }): Promise<void> {
  if (event.body.reason === 'exception') {
    const info = await client.request('exceptionInfo', { threadId: event.body.threadId });
    const body = info.body as P.ExceptionInfoResponse['body'] | undefined;
    program.error = body ? [body.exceptionId, body.description].filter(Boolean).join(': ') : event.body.text ?? 'exception';
  }
  await client.request('continue', { threadId: event.body.threadId });
}

async function must(response: Promise<P.Response>): Promise<P.Response> {
  const r = await response;
  if (!r.success) throw new CountError(r.message ?? `${r.command} failed`);
  return r;
}
