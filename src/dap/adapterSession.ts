/**
 * One debug session of `malloclens dap` (and of the editor's `malloclens` debug type): speaks DAP
 * to a client, starts `dlv dap` when the client initializes, puts the counting proxy between them,
 * and takes Delve's launch and attach arguments unchanged. It owns the Delve process and leaves
 * nothing behind when either side goes away.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { UserCodeRoots } from '../core/attribution';
import type { MallocReport } from '../core/report';
import { formatVersion, parseVersion } from '../core/versions';
import { BufferedEndpoint } from './bufferedEndpoint';
import type { DapEndpoint } from './connection';
import type { LineTarget } from './engine';
import { Delve, DelveNotFoundError, locateDelve, delveVersion } from './delveLocator';
import { DebuggeeWatch } from './debuggeeWatch';
import { DelveProcess } from './delveProcess';
import { DelveLink } from './delveLink';
import { connectRemoteDelve, initializeOver, remoteAddress, RemoteAddress, RemoteDelveError, remoteDelveInfo } from './remoteDelve';
import type { StreamConnection } from './connection';
import { pathRules } from '../core/substitutePath';
import { DapMessage, FramingError } from './framing';
import { RuntimePatchError } from '../core/runtimePatch';
import { runtimeOverlay } from './fast/runtimeOverlay';
import { DEBUG_GCFLAGS, userCodeRoots } from './goToolchain';
import { run, ToolMissingError } from './processes';
import { DapProxy, ProxyHooks } from './proxy';
import { chooseEngine, engineRequested } from '../core/engineChoice';
import { AllocationSession, createAllocationSession } from './sessionChoice';
import { startErrorId } from './startErrors';
import { waitAtMost } from './waitAtMost';

export interface AdapterSessionOptions {
  /** Environment for Delve and `go` (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Delve's working directory, where it builds `mode: debug` programs (default: this process's). */
  cwd?: string;
  /** A Delve chosen by the user; otherwise found like the Go extension finds it. */
  dlvPath?: string;
  /** Extra `dlv dap` flags (--log, --log-output, anything after `--`). */
  dlvFlags?: string[];
  /** Descriptors Delve inherits (3 when its log goes to `--log-dest=3`). */
  inheritFds?: number[];
  /** Where the debuggee's (Delve's) stdout and stderr go: DAP output events, or this process's own. */
  output: 'events' | 'inherit';
  /** Count allocations (default true); off, the session is a plain pass-through to Delve. */
  counting?: boolean;
  /** The least time between two `malloclens/tally` events (default 500 ms). */
  tallyIntervalMs?: number;
  /** May install the pinned Delve when none fits (default true). */
  installDelve?: boolean;
  log?: (line: string) => void;
}

/** malloclens's own launch/attach arguments, beside Delve's (`fast` is read by sessionChoice). */
interface MalloclensArgs {
  counting?: boolean;
  line?: LineTarget;
  /** Read by sessionChoice.engineRequested, with the older `fast: true`. */
  engine?: string;
  fast?: boolean;
  /** Fast mode: the least time between two readings while the program runs (0: only at stops). */
  liveIntervalMs?: number;
  /** Fast mode, remote attach: a copy of the program's executable on this machine. */
  binary?: string;
}

/** Fresh counts while a debugged program runs, in fast mode: a hidden pause at most this often. */
const LIVE_INTERVAL_MS = 2000;

export class AdapterSession {
  private readonly client: BufferedEndpoint;
  private delve?: DelveProcess;
  private proxy?: DapProxy;
  private counting?: AllocationSession;
  private countingHooks?: ProxyHooks;
  private delveVersionText = '';
  private closing?: Promise<void>;
  private request: 'launch' | 'attach' | undefined;
  private tallyTimer?: NodeJS.Timeout;
  private debuggeeWatch?: DebuggeeWatch;
  /** Delve missed its debuggee's end and answers nothing more: no point asking it to end. */
  private delveStuck = false;
  private lastTallyGeneration = -1;
  /** Why fast mode runs without its runtime overlay, for the report. */
  private overlayProblem?: string;
  private started = false;
  /** The client asked to disconnect: Delve's exit that follows is expected. */
  private clientEnding = false;
  private clientSeq = 1;
  private initializeArgs?: unknown;
  /** The proxy's Delve side: the local `dlv dap`, or after a remote attach the headless Delve. */
  private link?: DelveLink;
  /** A remote attach: the headless Delve, elsewhere, which outlives this session. */
  private remote?: { address: RemoteAddress; connection: StreamConnection };
  private resolveClosed!: () => void;
  /** Resolves once Delve is gone and the session is over. */
  readonly closed = new Promise<void>((resolve) => (this.resolveClosed = resolve));

  constructor(client: DapEndpoint, private readonly options: AdapterSessionOptions) {
    this.client = new BufferedEndpoint(client);
    this.client.peek((m) => this.beforeProxy(m));
    client.onProtocolError((e) => this.tellClient(`malloclens: ${e.fatal ? 'unreadable' : 'ignored a malformed'} DAP message from the client (${e.message})`, e.fatal));
    client.onClose(() => void this.close('the client went away'));
  }

  private get env(): NodeJS.ProcessEnv {
    return this.options.env ?? process.env;
  }

  private log(line: string): void {
    this.options.log?.(line);
  }

  // ---- before Delve runs: the client's first request --------------------------------------

  private beforeProxy(message: DapMessage): void {
    if (this.started || message.type !== 'request') return;
    this.started = true;
    const request = message as unknown as P.Request;
    if (request.command !== 'initialize') {
      this.sendDirect({ type: 'response', request_seq: request.seq, command: request.command, success: false, message: 'The first request must be initialize.' });
      return;
    }
    void this.start(request).catch((e: Error) => {
      this.sendDirect({
        type: 'response', request_seq: request.seq, command: 'initialize', success: false,
        message: `Couldn't start dlv dap: ${e.message}`,
        body: { error: { id: startErrorId(e), format: `Couldn't start dlv dap: ${e.message}`, showUser: true } },
      });
      void this.close(e.message);
    });
  }

  /** Messages the proxy does not exist for yet (its own numbering takes over once it does). */
  private sendDirect(message: Record<string, unknown>): void {
    this.client.send({ ...message, seq: this.clientSeq++ } as DapMessage);
  }

  private async chooseDelve(): Promise<Delve> {
    const explicit = this.options.dlvPath ?? this.env.MALLOCLENS_DLV;
    if (explicit) {
      if (!existsSync(explicit)) throw new DelveNotFoundError(`Delve not found at ${explicit}.`);
      // The program's Go version is known only once Delve has built it; Delve checks it then.
      return { path: explicit, version: await delveVersion(explicit, this.env) };
    }
    const go = await run('go', ['env', 'GOVERSION'], { cwd: this.options.cwd, env: this.env }).catch(() => undefined);
    const version = go && go.code === 0 ? parseVersion(go.stdout) : undefined;
    if (!version) throw new ToolMissingError('Go was not found (`go env GOVERSION` failed); malloclens needs the Go toolchain that builds the program.');
    return locateDelve({ go: version, env: this.env, install: this.options.installDelve ?? true, notify: (m) => this.tellClient(m) });
  }

  private async start(initialize: P.Request): Promise<void> {
    this.initializeArgs = initialize.arguments;
    const delve = await this.chooseDelve();
    this.log(`starting ${delve.path} (Delve ${formatVersion(delve.version)})`);
    this.delve = await DelveProcess.start({
      delve, cwd: this.options.cwd ?? process.cwd(), env: this.env, stdio: 'pipe', extraArgs: this.options.dlvFlags, inheritFds: this.options.inheritFds,
    });
    this.forwardProgramOutput(this.delve);
    this.link = new DelveLink(this.delve.connection);
    // An unreadable stream ends the session (delveGone says why); a bad body is skipped and said.
    this.link.onProtocolError((e) => {
      if (!e.fatal) this.tellClient(`malloclens: ignored a malformed DAP message from Delve (${e.message})`);
    });
    const proxy = new DapProxy(this.client, this.link, (l) => this.log(l), this.clientSeq);
    this.proxy = proxy;
    this.delveVersionText = formatVersion(delve.version);
    proxy.setHooks({
      onClientRequest: async (request) => {
        if (request.command === 'disconnect') this.clientEnding = true;
        // Delve ends the old process itself; a new `process` event, if any, starts a new watch.
        if (request.command === 'restart') this.stopWatchingDebuggee();
        if (request.command === 'attach' && !(await this.maybeGoRemote(request))) return true;
        await this.beforeForwarding(request);
        if (request.command === 'malloclens/tally' && !this.counting) {
          proxy.respondError(request, 'Counting is off in this session.');
          return true;
        }
        return (await this.countingHooks?.onClientRequest?.(request)) ?? false;
      },
      onDelveEvent: (event) => {
        if (!this.remote) this.watchDebuggee(event);
        return this.countingHooks?.onDelveEvent?.(event) ?? false;
      },
      onClientResponse: (response) => {
        // The debuggee exists once Delve has answered the launch: remember it, in case Delve dies.
        if (response.command === 'launch' && response.success) this.delve?.rememberLaunchedProcesses();
        if (response.command === 'disconnect') void this.close('the client disconnected');
      },
      onDelveClosed: (reason) => {
        this.countingHooks?.onDelveClosed?.(reason);
        void this.delveGone(reason);
      },
      onClientClosed: () => void this.close('the client went away'),
    });
    this.tallyTimer = setInterval(() => this.maybeSendTally(), this.options.tallyIntervalMs ?? 500);
    this.log(`forwarding ${initialize.command}`);
  }

  private forwardProgramOutput(delve: DelveProcess): void {
    const route = (stream: NodeJS.ReadableStream | null, category: 'stdout' | 'stderr') => {
      stream?.on('data', (chunk: Buffer) => {
        if (this.options.output === 'inherit') (category === 'stdout' ? process.stdout : process.stderr).write(chunk);
        else this.proxy?.sendEvent('output', { category, output: chunk.toString() });
      });
    };
    route(delve.child.stdout, 'stdout');
    route(delve.child.stderr, 'stderr');
  }

  // ---- a remote attach: the headless Delve instead of the local one -------------------------

  /**
   * An attach with `"mode": "remote"` goes to the headless Delve at its `host` and `port`: the
   * client's `initialize` is said to it again, the proxy's Delve side moves to it, and the local
   * `dlv dap` that answered the initialize ends. False (and the attach answered) when it cannot.
   */
  private async maybeGoRemote(request: P.Request): Promise<boolean> {
    const args = (request.arguments ?? {}) as Record<string, unknown>;
    try {
      const address = remoteAddress(request.command, args);
      if (!address || this.remote || !this.link || !this.proxy) return true;
      const { connection } = await connectRemoteDelve(address);
      const answer = await initializeOver(connection, this.initializeArgs);
      if (!answer.success) {
        connection.close();
        throw new RemoteDelveError(`the headless Delve at ${address.host}:${address.port} refused initialize: ${answer.message ?? 'no reason given'}`);
      }
      // Only after the DAP client is in: a headless Delve without --accept-multiclient serves its
      // first client only, and ends (with the program) when that one leaves.
      const info = await remoteDelveInfo(address, 1500);
      connection.onProtocolError((e) => this.log(`remote Delve: ${e.message}`));
      this.link.moveTo(connection);
      this.remote = { address, connection };
      this.delveVersionText = info.delve ? formatVersion(info.delve) : 'unknown (remote)';
      this.log(`attached to the headless Delve at ${address.host}:${address.port} (Delve ${this.delveVersionText}, ${info.goVersion ?? 'Go version unknown'})`);
      // The local Delve served the initialize only.
      const local = this.delve;
      this.delve = undefined;
      await local?.stop(500);
      return true;
    } catch (e) {
      this.proxy?.respondError(request, `malloclens: ${(e as Error).message}`);
      return false;
    }
  }

  // ---- launch and attach: learn what the user's code is ----------------------------------

  /**
   * The engine is chosen by the launch or attach request (`malloclens: { fast, line, counting }`),
   * and learns there which code is the user's.
   */
  private async beforeForwarding(request: P.Request): Promise<void> {
    if (request.command !== 'launch' && request.command !== 'attach') return;
    this.request = request.command;
    const args = (request.arguments ?? {}) as Record<string, unknown>;
    const own = (args.malloclens ?? {}) as MalloclensArgs;
    const fast = chooseEngine(engineRequested(args), own.line !== undefined) === 'fast';
    delete args.malloclens;
    if (this.options.counting === false || own.counting === false || this.counting || !this.proxy) return;
    const overlaid = fast && request.command === 'launch' && (await this.addRuntimeOverlay(args));
    if (this.remote && fast) {
      // A binary built elsewhere has the toolchain's own runtime: what the overlay would place in the
      // profile is caught at hidden stops instead.
      this.overlayProblem = 'The program was built elsewhere (a remote Delve), without fast mode\'s runtime overlay; tiny and system-stack allocations were caught at hidden stops instead, which is slower.';
    }
    this.counting = createAllocationSession(this.proxy, {
      roots: await this.rootsFor(args),
      pathRules: pathRules(args.substitutePath),
      remote: this.remote !== undefined,
      ...(typeof own.binary === 'string' ? { binary: own.binary } : {}),
      delveVersion: this.delveVersionText,
      buildFlags: this.buildFlagsFor(args),
      env: this.env,
      log: (l) => this.log(l),
      fast,
      overlaid,
      liveIntervalMs: own.liveIntervalMs ?? LIVE_INTERVAL_MS,
      ...(own.line ? { line: own.line } : {}),
    });
    if (this.overlayProblem) this.counting.note(this.overlayProblem);
    this.counting.onFinished((report) => this.sendTally(report));
    this.countingHooks = this.counting.hooks();
  }

  /**
   * Fast mode builds `debug` and `test` programs with a runtime whose profile places every
   * allocation (fast/runtimeOverlay.ts), through Delve's buildFlags. False when Delve does not
   * build the program (exec) or the overlay cannot be made; fast mode then catches what the
   * profile misses at hidden stops.
   */
  private async addRuntimeOverlay(args: Record<string, unknown>): Promise<boolean> {
    const mode = String(args.mode ?? 'debug');
    if (mode !== 'debug' && mode !== 'test') return false;
    try {
      const made = await runtimeOverlay(this.programDir(args) ?? String(args.dlvCwd ?? this.options.cwd ?? process.cwd()), this.env);
      // Delve builds with the go it finds, in its own environment: only an overlay reaches it.
      if (made.kind !== 'overlay') throw new RuntimePatchError(`${made.goVersion} is a toolchain in the module cache, whose files go build -overlay may not replace`);
      const flag = `-overlay=${made.file}`;
      args.buildFlags = Array.isArray(args.buildFlags) ? [...(args.buildFlags as string[]), flag] : [String(args.buildFlags ?? ''), flag].filter(Boolean).join(' ');
      return true;
    } catch (e) {
      // Said in the report, not in the Debug Console: the session must look as plain Delve's.
      this.overlayProblem = `Fast mode could not prepare its runtime overlay (${(e as Error).message}); it caught tiny and system-stack allocations at hidden stops instead, which is slower.`;
      return false;
    }
  }

  /** The directory of the program a launch names, when it exists. */
  private programDir(args: Record<string, unknown>): string | undefined {
    const base = String(args.dlvCwd ?? this.options.cwd ?? process.cwd());
    if (typeof args.program !== 'string') return undefined;
    const program = path.resolve(base, args.program);
    if (!existsSync(program)) return undefined;
    return statSync(program).isDirectory() ? program : path.dirname(program);
  }

  private buildFlagsFor(args: Record<string, unknown>): string {
    const mode = String(args.mode ?? 'debug');
    const user = Array.isArray(args.buildFlags) ? (args.buildFlags as string[]).join(' ') : String(args.buildFlags ?? '');
    if (mode === 'exec' || this.request === 'attach') return user;
    // Delve adds its own no-optimisation flags to every debug and test build.
    return [`-gcflags=${DEBUG_GCFLAGS}`, user].filter(Boolean).join(' ');
  }

  /** The module (or workspace) that holds the program is the user's code, as for the CLI. */
  private async rootsFor(args: Record<string, unknown>): Promise<UserCodeRoots> {
    const base = String(args.dlvCwd ?? this.options.cwd ?? process.cwd());
    const here = (dir: unknown) => (typeof dir === 'string' && path.isAbsolute(dir) && existsSync(dir) ? dir : undefined);
    // A remote program's sources are the editor's copy: the workspace (`cwd`), else where
    // substitutePath maps the program's paths to.
    const editorCopy = this.remote ? pathRules(args.substitutePath).map((r) => here(r.from)).find(Boolean) : undefined;
    return userCodeRoots(this.programDir(args) ?? here(args.cwd) ?? editorCopy ?? (typeof args.cwd === 'string' && existsSync(args.cwd) ? args.cwd : base), this.env);
  }

  // ---- tallies ---------------------------------------------------------------------------

  private maybeSendTally(): void {
    const generation = this.counting?.tally.generation;
    if (generation === undefined || generation === this.lastTallyGeneration) return;
    this.sendTally(this.counting!.report());
  }

  private sendTally(report: MallocReport): void {
    this.lastTallyGeneration = this.counting?.tally.generation ?? -1;
    this.proxy?.sendEvent('malloclens/tally', report);
  }

  // ---- a debuggee that dies unreported ---------------------------------------------------

  /** Watches the process Delve reports, until Delve reports its end. */
  private watchDebuggee(event: P.Event): void {
    if (event.event === 'process') {
      const pid = (event as P.ProcessEvent).body.systemProcessId;
      this.stopWatchingDebuggee();
      this.debuggeeWatch = pid ? new DebuggeeWatch(pid, (code) => this.debuggeeDiedUnreported(code)) : undefined;
      this.debuggeeWatch?.start();
    } else if (event.event === 'exited' || event.event === 'terminated') {
      this.stopWatchingDebuggee();
    }
  }

  private stopWatchingDebuggee(): void {
    this.debuggeeWatch?.stop();
    this.debuggeeWatch = undefined;
  }

  private debuggeeDiedUnreported(exitCode: number | undefined): void {
    const proxy = this.proxy;
    if (!proxy || proxy.debuggeeEnded || this.closing || this.clientEnding) return;
    this.tellClient(`malloclens: the program has ended${exitCode === undefined ? '' : ` (exit code ${exitCode})`}, but Delve did not report it; ending the session.`);
    proxy.reportDebuggeeEnd(exitCode);
    this.delveStuck = true;
    void this.close('the debuggee died unreported');
  }

  // ---- ending ----------------------------------------------------------------------------

  /** Tells the client something it should see (Debug Console), optionally ending the session. */
  private tellClient(text: string, terminate = false): void {
    const send = (m: Record<string, unknown>) => (this.proxy ? this.proxy.sendToClient(m as never) : this.sendDirect(m));
    send({ type: 'event', event: 'output', body: { category: 'important', output: `${text}\n` } });
    if (terminate) send({ type: 'event', event: 'terminated' });
  }

  private async delveGone(reason?: Error): Promise<void> {
    if (this.closing || this.clientEnding) {
      await this.close('Delve ended the session');
      return;
    }
    if (this.remote) {
      this.tellClient(`malloclens: the connection to the headless Delve at ${this.remote.address.host}:${this.remote.address.port} was lost${reason ? ` (${reason.message})` : ''}; the session ends.`, true);
      await this.close('the remote Delve went away');
      return;
    }
    if (reason instanceof FramingError) {
      this.tellClient(`malloclens: Delve's DAP stream became unreadable (${reason.message}); the session ends.`, true);
      await this.close('Delve sent an unreadable stream');
      return;
    }
    // The socket usually closes a moment before the process is reaped: wait briefly for the reason.
    const info = this.delve ? await waitAtMost(this.delve.exited, 500) : undefined;
    const why = info ? (info.signal ? `killed by ${info.signal}` : `exit code ${info.code}`) : 'connection lost';
    this.tellClient(`malloclens: Delve exited unexpectedly (${why}).${this.delve?.recentStderr ? ` ${this.delve.recentStderr.split('\n').pop()}` : ''}`, true);
    await this.close('Delve went away');
  }

  /** Ends the session: asks Delve to end (or detach from) the debuggee, then makes sure it did. */
  close(reason = 'closed'): Promise<void> {
    this.closing ??= (async () => {
      this.log(`closing: ${reason}`);
      clearInterval(this.tallyTimer);
      this.debuggeeWatch?.stop();
      if (this.proxy?.isDelveOpen && !this.clientEnding && !this.delveStuck) {
        const terminateDebuggee = this.request !== 'attach';
        // A headless Delve keeps the program (and its breakpoints) for the next client.
        if (this.remote) await waitAtMost(this.counting?.detach() ?? Promise.resolve(), 3000);
        await waitAtMost(this.proxy.request('disconnect', { terminateDebuggee }).catch(() => undefined), 1000);
      }
      this.remote?.connection.close();
      // Delve still sends `terminated` after its disconnect response, then ends by itself.
      if (this.delve && !this.delve.hasExited && !this.delveStuck) await waitAtMost(this.delve.exited, 2000);
      await this.delve?.stop(this.delveStuck ? 100 : undefined);
      this.client.close();
      this.resolveClosed();
    })();
    return this.closing;
  }
}
