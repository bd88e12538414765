/**
 * Starts `dlv dap` and connects to it without opening a network listener where Delve allows:
 * Delve dials in (`--client-addr`) to a Unix socket in a private directory (Delve ≥ 1.23), or to a
 * one-shot listener on 127.0.0.1. Stopping it leaves no dlv or debuggee process behind.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { delveFeatures } from '../core/versions';
import { StreamConnection } from './connection';
import { cacheDir, Delve } from './delveLocator';
import { descendants, isAlive, killHard } from './processes';
import { waitAtMost } from './waitAtMost';

export interface DelveStartOptions {
  delve: Delve;
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** 'inherit': the debuggee shares this process's terminal; 'pipe': its output is readable here. */
  /**
   * 'inherit': Delve and the program share this process's terminal; 'stdoutToStderr': the same, but
   * the program's stdout goes to this stderr (this stdout carries a report); 'pipe': piped.
   */
  stdio: 'inherit' | 'stdoutToStderr' | 'pipe';
  /** Extra `dlv dap` flags (e.g. --log, --log-output). */
  extraArgs?: string[];
  /** Descriptors above 2 that Delve inherits at the same number (e.g. 3 for `--log-dest=3`). */
  inheritFds?: number[];
  connectTimeoutMs?: number;
  /**
   * Delve looks for no detached debug info (a headless count, which never shows a C frame): at
   * its first stop in a dynamically linked program Delve otherwise reads the shared libraries'
   * separate DWARF where the system has it (libc6-dbg's ld.so: ≈ 0.4 s, decompressing).
   */
  withoutDetachedDebugInfo?: boolean;
}

/**
 * A Delve configuration directory whose config.yml points Delve's debug-info-directories at a
 * directory that does not exist, for `XDG_CONFIG_HOME`; undefined where using it could cost the
 * user anything: Delve moves a config it finds in the old place (~/.dlv) into the one it reads.
 */
function configWithoutDebugInfo(env: NodeJS.ProcessEnv): string | undefined {
  if (existsSync(path.join(env.HOME ?? os.homedir(), '.dlv', 'config.yml'))) return undefined;
  const home = path.join(cacheDir(env), 'delve-config');
  const file = path.join(home, 'dlv', 'config.yml');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `# malloclens's headless counts: no detached debug info is read.\ndebug-info-directories: [${JSON.stringify(path.join(home, 'none'))}]\n`);
  }
  return home;
}

export class DelveStartError extends Error {}

const live = new Set<DelveProcess>();
let exitHookInstalled = false;

/** If this process dies without stopping Delve, take Delve and the debuggee with it. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const d of live) d.killNow();
  });
}

export class DelveProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitInfo?: { code: number | null; signal: NodeJS.Signals | null };
  private stderrTail = '';
  private socketDir?: string;
  /** Processes Delve launched (the debuggee), remembered while Delve lives: Delve does not set PTRACE_O_EXITKILL, so a killed Delve leaves its debuggee running. */
  private readonly launched = new Set<number>();

  /**
   * @param launchEnv what a launch request's `env` must hold for the program (and a build Delve
   *   runs) to see the environment Delve was given, not what malloclens set for Delve alone.
   */
  private constructor(readonly child: ChildProcess, readonly connection: StreamConnection, readonly launchEnv: Record<string, string | null>) {
    this.exited = new Promise((resolve) => {
      const done = (code: number | null, signal: NodeJS.Signals | null) => {
        this.exitInfo = { code, signal };
        resolve(this.exitInfo);
      };
      if (child.exitCode !== null || child.signalCode !== null) done(child.exitCode, child.signalCode);
      else child.once('exit', done);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get hasExited(): boolean {
    return this.exitInfo !== undefined;
  }

  /** The last lines Delve wrote to stderr (only when piped). */
  get recentStderr(): string {
    return this.stderrTail.trim();
  }

  static async start(options: DelveStartOptions): Promise<DelveProcess> {
    installExitHook();
    const { listener, address, socketDir } = await listen(options);
    const args = ['dap', `--client-addr=${address}`, ...(options.extraArgs ?? [])];
    const stdio: (number | 'pipe' | 'inherit' | 'ignore')[] = stdioFor(options.stdio);
    for (const fd of options.inheritFds ?? []) {
      while (stdio.length < fd) stdio.push('ignore');
      stdio[fd] = fd;
    }
    const env = options.env ?? process.env;
    const config = options.withoutDetachedDebugInfo ? configWithoutDebugInfo(env) : undefined;
    const child = spawn(options.delve.path, args, { cwd: options.cwd, env: config ? { ...env, XDG_CONFIG_HOME: config } : env, stdio });
    let stderrTail = '';
    child.stderr?.on('data', (d: Buffer) => (stderrTail = (stderrTail + d.toString()).slice(-4000)));

    let socket: net.Socket;
    try {
      socket = await accept(listener, child, options.connectTimeoutMs ?? 30_000, () => stderrTail);
    } catch (e) {
      child.kill('SIGKILL');
      cleanupSocketDir(socketDir);
      throw e;
    } finally {
      listener.close();
    }
    const connection = new StreamConnection(socket, socket);
    // Delve's own environment is the program's: the launch puts the user's XDG_CONFIG_HOME back.
    const proc = new DelveProcess(child, connection, config ? { XDG_CONFIG_HOME: env.XDG_CONFIG_HOME ?? null } : {});
    proc.socketDir = socketDir;
    child.stderr?.on('data', (d: Buffer) => (proc.stderrTail = (proc.stderrTail + d.toString()).slice(-4000)));
    proc.stderrTail = stderrTail;
    live.add(proc);
    return proc;
  }

  /** Notes Delve's current children as its debuggee (call after a launch; never after an attach). */
  rememberLaunchedProcesses(): void {
    if (this.child.pid && !this.hasExited) for (const pid of descendants(this.child.pid)) this.launched.add(pid);
  }

  /**
   * Ends the session: closes the connection (Delve then ends the debuggee it launched), waits up to
   * `graceMs`, then kills whatever is left of Delve and its children.
   */
  async stop(graceMs = 1500): Promise<void> {
    const pid = this.child.pid;
    const children = [...new Set([...(pid && !this.hasExited ? descendants(pid) : []), ...this.launched])];
    this.connection.close();
    await waitAtMost(this.exited, graceMs);
    const leftovers = [...(this.hasExited ? [] : [pid!]), ...children.filter(isAlive)];
    if (leftovers.length > 0) {
      killHard(leftovers);
      await waitAtMost(this.exited, 500);
    }
    cleanupSocketDir(this.socketDir);
    live.delete(this);
  }

  /** Synchronous last resort, for process exit. */
  killNow(): void {
    const pid = this.child.pid;
    const alive = pid && !this.hasExited ? [...descendants(pid), pid] : [];
    killHard([...alive, ...[...this.launched].filter(isAlive)]);
    cleanupSocketDir(this.socketDir);
  }
}

function cleanupSocketDir(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

async function listen(options: DelveStartOptions): Promise<{ listener: net.Server; address: string; socketDir?: string }> {
  const listener = net.createServer();
  if (delveFeatures(options.delve.version).unixClientAddr) {
    const socketDir = mkdtempSync(path.join(os.tmpdir(), 'malloclens-'));
    const socketPath = path.join(socketDir, 'dap.sock');
    await new Promise<void>((resolve, reject) => {
      listener.once('error', reject);
      listener.listen(socketPath, resolve);
    });
    return { listener, address: `unix:${socketPath}`, socketDir };
  }
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(0, '127.0.0.1', resolve);
  });
  const { port } = listener.address() as net.AddressInfo;
  return { listener, address: `127.0.0.1:${port}` };
}

function accept(listener: net.Server, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => finish(new DelveStartError(`Delve did not connect within ${timeoutMs / 1000} s.`)), timeoutMs);
    const onExit = (code: number | null) => {
      const said = stderr().trim().split('\n').pop();
      finish(new DelveStartError(`Delve exited before connecting (exit code ${code})${said ? `: ${said}` : '.'}`));
    };
    const onError = (e: Error) => finish(new DelveStartError(`could not start Delve: ${e.message}`));
    function finish(result: net.Socket | Error) {
      clearTimeout(timer);
      child.off('exit', onExit);
      child.off('error', onError);
      listener.off('connection', onConnection);
      if (result instanceof Error) reject(result);
      else resolve(result);
    }
    // The first connection is Delve's; the listener closes right after, so there is no second.
    const onConnection = (socket: net.Socket) => finish(socket);
    listener.on('connection', onConnection);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function stdioFor(mode: DelveStartOptions['stdio']): (number | 'pipe' | 'inherit' | 'ignore')[] {
  if (mode === 'inherit') return ['inherit', 'inherit', 'inherit'];
  // fd 2 as the child's fd 1: the debuggee inherits Delve's stdout, which is now our stderr.
  if (mode === 'stdoutToStderr') return ['inherit', 2, 'inherit'];
  return ['pipe', 'pipe', 'pipe'];
}
