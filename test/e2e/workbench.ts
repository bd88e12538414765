// End-to-end harness: a real VS Code workbench (code-server, served on loopback) with packaged
// .vsix files installed, driven by Debian's Chromium through playwright-core.
//
// Why code-server: no desktop VS Code can be downloaded on our machines, but code-server comes from
// the npm registry and runs the normal Node extension host. It has no --extensionTestsPath, so
// tests check what a person sees (DOM and screenshots) and trigger things through the UI.
//
// code-server is installed by scripts/e2e/install-code-server.sh; point MALLOCLENS_CODE_SERVER at
// its entry.js to use another install. Set MALLOCLENS_E2E_KEEP_TEMP=1 to keep the temp dirs
// (user data, extensions, browser profile) after stop() for a look. Use one artifactsDir per
// workbench: code-server.log and browser-console.log are overwritten by the next one.

import { ChildProcess, execFile, spawn } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, WriteStream } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { chromium, BrowserContext, Page } from 'playwright-core';

const execFileAsync = promisify(execFile);

export const CODE_SERVER_VERSION = '4.100.3';

export interface WorkbenchOptions {
  /** Packaged extension(s) to install with --install-extension. */
  vsix: string | readonly string[];
  /** Folder to open as the workspace. */
  folder: string;
  /** Extra user settings, merged over the harness defaults. */
  settings?: Record<string, unknown>;
  /** Where screenshots and logs go; created if missing. */
  artifactsDir: string;
  /** code-server's out/node/entry.js; defaults to $MALLOCLENS_CODE_SERVER, then the install cache. */
  codeServerEntry?: string;
  /** Chromium binary; defaults to $MALLOCLENS_CHROMIUM, then Debian's /usr/bin/chromium. */
  chromiumPath?: string;
  /** Browser viewport; screenshots have this size. */
  viewport?: { width: number; height: number };
  /** Longest wait for code-server and the workbench to come up. */
  startTimeoutMs?: number;
  /**
   * Runs after the extensions are installed and before code-server starts: the place to put
   * files an extension looks for when it first activates (the Go extension's bin/vscgo).
   */
  beforeStart?: (dirs: { extensionsDir: string; userDataDir: string }) => void | Promise<void>;
}

export interface Workbench {
  readonly page: Page;
  readonly url: string;
  readonly userDataDir: string;
  readonly extensionsDir: string;
  /** Runs a command by its palette label (e.g. "Malloclens: Count Allocations"): F1, type, Enter. */
  runCommand(label: string): Promise<void>;
  /** Types `query` into the open quick input, waits until the focused row is `rowText`, then Enter. */
  pick(query: string, rowText?: string): Promise<void>;
  /** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab. */
  openFile(relativePath: string): Promise<void>;
  /** Waits until the active editor shows `text` (only rendered lines count: Monaco virtualizes). */
  waitForEditorText(text: string, timeoutMs?: number): Promise<void>;
  /** Saves a PNG of the page into artifactsDir and returns its path. */
  screenshot(name: string): Promise<string>;
  /** Kills Chromium and code-server (every descendant process) and removes the temp dirs. */
  stop(): Promise<void>;
}

// Settings that keep the workbench quiet and deterministic: no telemetry, no welcome page or
// walkthroughs, no trust prompt, no update/recommendation notifications that could cover the UI.
const DEFAULT_SETTINGS: Record<string, unknown> = {
  'telemetry.telemetryLevel': 'off',
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'git.openRepositoryInParentFolders': 'never',
};

// Flags from the recipe that worked here: --no-sandbox because we run as root; the networking
// flags because this machine's closed network refuses Chromium's background connections.
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
];

export function defaultCodeServerEntry(): string {
  if (process.env.MALLOCLENS_CODE_SERVER) return resolve(process.env.MALLOCLENS_CODE_SERVER);
  const cache = process.env.MALLOCLENS_CACHE ?? join(homedir(), '.cache', 'malloclens');
  return join(cache, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

export async function startWorkbench(options: WorkbenchOptions): Promise<Workbench> {
  const entry = options.codeServerEntry ?? defaultCodeServerEntry();
  if (!existsSync(entry)) {
    throw new Error(`code-server not found at ${entry}; run scripts/e2e/install-code-server.sh (or set MALLOCLENS_CODE_SERVER)`);
  }
  const chromiumPath = options.chromiumPath ?? process.env.MALLOCLENS_CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(chromiumPath)) {
    throw new Error(`Chromium not found at ${chromiumPath}; run scripts/e2e/install-code-server.sh`);
  }
  const folder = resolve(options.folder);
  const artifactsDir = resolve(options.artifactsDir);
  mkdirSync(artifactsDir, { recursive: true });
  const startTimeoutMs = options.startTimeoutMs ?? 120_000;

  const tempRoot = mkdtempSync(join(tmpdir(), 'malloclens-e2e-'));
  const userDataDir = join(tempRoot, 'user-data');
  const extensionsDir = join(tempRoot, 'extensions');
  const browserProfile = join(tempRoot, 'chromium-profile');
  const dataHome = join(tempRoot, 'xdg-data');
  for (const dir of [join(userDataDir, 'User'), extensionsDir, browserProfile, dataHome]) mkdirSync(dir, { recursive: true });
  writeFileSync(join(userDataDir, 'User', 'settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...options.settings }, null, 2));

  const env = codeServerEnv(dataHome);
  const baseArgs = [entry, '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
  const vsixes = typeof options.vsix === 'string' ? [options.vsix] : options.vsix;

  const cleanup = new Cleanup(tempRoot, userDataDir, artifactsDir);
  try {
    for (const vsix of vsixes) {
      const path = resolve(vsix);
      // Anything but an existing .vsix file would be taken as a marketplace id and looked up online.
      if (!path.endsWith('.vsix') || !existsSync(path)) throw new Error(`not a .vsix file: ${path}`);
      // An unpacked folder copied into the extensions dir is dropped by code-server as "removed";
      // only --install-extension registers it properly.
      const { stdout, stderr } = await execFileAsync(process.execPath, [...baseArgs, '--install-extension', path], { env, timeout: 120_000 });
      if (!/successfully installed/i.test(stdout + stderr)) {
        throw new Error(`installing ${path} failed:\n${stdout}${stderr}`);
      }
    }

    await options.beforeStart?.({ extensionsDir, userDataDir });

    const port = await freeLoopbackPort();
    const log = createWriteStream(join(artifactsDir, 'code-server.log'));
    // detached: code-server becomes a process-group leader, so stop() can signal the whole group
    // (server, extension host, pty host, file watcher) at once.
    const server = spawn(
      process.execPath,
      [
        ...baseArgs,
        '--auth', 'none',
        '--bind-addr', `127.0.0.1:${port}`, // loopback only: nothing else may reach this server
        '--config', join(tempRoot, 'code-server.yaml'), // else it writes ~/.config/code-server
        '--disable-telemetry',
        '--disable-update-check',
        '--disable-workspace-trust',
        '--ignore-last-opened',
        folder,
      ],
      { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanup.server = server;
    cleanup.log = log;
    server.stdout?.pipe(log, { end: false });
    server.stderr?.pipe(log, { end: false });
    await waitForHealthy(server, port, startTimeoutMs, join(artifactsDir, 'code-server.log'));

    const before = childPids(process.pid);
    const context = await chromium.launchPersistentContext(browserProfile, {
      executablePath: chromiumPath,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: options.viewport ?? { width: 1440, height: 900 },
      // Chromium's crash reporter keeps its database under XDG_CONFIG_HOME (~/.config/chromium),
      // outside the profile dir; point it and the cache into the temp root too.
      env: definedEnv({ ...process.env, XDG_CONFIG_HOME: join(tempRoot, 'xdg-config'), XDG_CACHE_HOME: join(tempRoot, 'xdg-cache') }),
      // The harness, not Playwright, decides when the browser goes (stop()).
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
    });
    cleanup.context = context;
    // Playwright does not expose the browser's pid; it is the new child of ours that runs with
    // our fresh profile dir. Knowing it lets stop() verify that the whole tree is gone.
    cleanup.browserPid = childPids(process.pid).find((pid) => !before.includes(pid) && readCmdline(pid).includes(browserProfile));

    const page = context.pages()[0] ?? (await context.newPage());
    const consoleLog = createWriteStream(join(artifactsDir, 'browser-console.log'));
    cleanup.consoleLog = consoleLog;
    page.on('console', (msg) => consoleLog.write(`[${msg.type()}] ${msg.text()}\n`));
    page.on('pageerror', (err) => consoleLog.write(`[pageerror] ${err.stack ?? err.message}\n`));

    const url = `http://127.0.0.1:${port}/?${new URLSearchParams({ folder })}`;
    await page.goto(url, { timeout: startTimeoutMs });
    await page.waitForSelector('.monaco-workbench', { timeout: startTimeoutMs });
    // The status bar is among the last parts laid out; once it is there the workbench takes input.
    await page.waitForSelector('.part.statusbar', { state: 'visible', timeout: startTimeoutMs });

    return new WorkbenchImpl(page, url, userDataDir, extensionsDir, artifactsDir, cleanup);
  } catch (err) {
    // The start failure is the error worth reporting; a failed teardown only goes to stderr.
    await cleanup.run().catch((stopErr: unknown) => console.error(`e2e workbench teardown: ${String(stopErr)}`));
    throw err;
  }
}

/** The little of the browser's document that page-side callbacks use. */
interface PageDocument {
  querySelector(selector: string): { textContent: string | null } | null;
}

class WorkbenchImpl implements Workbench {
  constructor(
    readonly page: Page,
    readonly url: string,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    private readonly artifactsDir: string,
    private readonly cleanup: Cleanup,
  ) {}

  async runCommand(label: string): Promise<void> {
    await this.page.keyboard.press('F1');
    await this.pick(label, label);
  }

  async openFile(relativePath: string): Promise<void> {
    // Ctrl+P is also the browser's print shortcut; the workbench's keybinding handler takes it
    // first and prevents the default.
    await this.page.keyboard.press('Control+P');
    const base = relativePath.split('/').pop() ?? relativePath;
    await this.pick(relativePath, base);
    await this.page
      .locator('.editor-group-container.active .tab.active', { hasText: base })
      .waitFor({ state: 'visible', timeout: 30_000 });
  }

  async waitForEditorText(text: string, timeoutMs = 30_000): Promise<void> {
    // Monaco renders spaces as U+00A0 and only the lines in view, one element per line.
    await this.page.waitForFunction(
      (wanted) => {
        // Runs in the page; the project compiles without the DOM lib, hence the narrow cast.
        const doc = (globalThis as unknown as { document: PageDocument }).document;
        const lines = doc.querySelector('.editor-group-container.active .monaco-editor .view-lines');
        return (lines?.textContent ?? '').replace(/\u00a0/g, ' ').includes(wanted);
      },
      text,
      { timeout: timeoutMs },
    );
  }

  async screenshot(name: string): Promise<string> {
    const path = join(this.artifactsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
    // Finite CSS animations (notification toasts slide in) are fast-forwarded to their end state,
    // so a screenshot taken right after an element appears shows it fully.
    await this.page.screenshot({ path, animations: 'disabled' });
    return path;
  }

  stop(): Promise<void> {
    return this.cleanup.run();
  }

  /** Types into the open quick input, waits until the focused row is `rowText`, then Enter. */
  async pick(query: string, rowText = query): Promise<void> {
    const input = this.page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible', timeout: 15_000 });
    // Type after what the palette put there (">" for commands) so the mode stays the same.
    await input.press('End');
    await input.pressSequentially(query);
    // The list filters asynchronously; pressing Enter before the wanted row is focused would run
    // whatever was first (e.g. a recently used command).
    const focused = this.page.locator('.quick-input-widget .monaco-list-row.focused .label-name');
    try {
      await focused.filter({ hasText: rowText }).first().waitFor({ state: 'visible', timeout: 15_000 });
    } catch (err) {
      const rows = await this.page.locator('.quick-input-widget .monaco-list-row').allTextContents();
      throw new Error(`no quick-input row "${rowText}" focused after typing "${query}"; rows: ${JSON.stringify(rows)}`, { cause: err });
    }
    const typed = await input.inputValue();
    await input.press('Enter');
    // Done when the quick input closes, or when the command opened a quick input of its own
    // (e.g. "Debug: Select and Start Debugging" asks for a configuration): the widget then
    // stays but its text starts over.
    await this.page.waitForFunction(
      (typed) => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { value: string; offsetParent: unknown } | null } }).document;
        const box = doc.querySelector('.quick-input-widget .quick-input-box input');
        return !box || box.offsetParent === null || box.value !== typed;
      },
      typed,
      { timeout: 15_000 },
    );
  }
}

/** Tears everything down once, in an order that leaves no process behind. */
class Cleanup {
  server?: ChildProcess;
  context?: BrowserContext;
  browserPid?: number;
  log?: WriteStream;
  consoleLog?: WriteStream;
  private done?: Promise<void>;

  constructor(
    private readonly tempRoot: string,
    private readonly userDataDir: string,
    private readonly artifactsDir: string,
  ) {
    liveCleanups.add(this);
    syncExitHandlers();
  }

  run(): Promise<void> {
    this.done ??= this.doRun().finally(() => {
      liveCleanups.delete(this);
      syncExitHandlers();
    });
    return this.done;
  }

  /** Both process trees, with start times so that a reused pid is not mistaken for ours. */
  private snapshot(): Map<number, string> {
    // Taken before killing: once a parent dies its children are re-parented to init and can no
    // longer be found by walking down from it.
    const tracked = new Map<number, string>();
    for (const root of [this.browserPid, this.server?.pid]) {
      if (root === undefined) continue;
      for (const pid of [root, ...descendantPids(root)]) tracked.set(pid, startTime(pid) ?? '');
    }
    // Chromium's crashpad handlers double-fork away from the browser's tree; they, like every
    // process of ours, name a path under the temp root on their command line.
    for (const pid of allPids()) {
      if (pid !== process.pid && !tracked.has(pid) && readCmdline(pid).includes(this.tempRoot)) tracked.set(pid, startTime(pid) ?? '');
    }
    return tracked;
  }

  private async doRun(): Promise<void> {
    const tracked = this.snapshot();

    // The browser first, so the page does not keep reconnecting to a dying server.
    if (this.context) await this.context.close().catch(() => undefined);
    const server = this.server;
    if (server?.pid !== undefined && server.exitCode === null && server.signalCode === null) {
      signalGroup(server.pid, 'SIGTERM');
      if (!(await waitForExit(server, 10_000))) signalGroup(server.pid, 'SIGKILL');
    }

    // Anything still alive (e.g. a process that left the group with setsid, like terminal shells
    // under node-pty) is killed by pid.
    const deadline = Date.now() + 5_000;
    let alive = livePids(tracked);
    while (alive.length > 0 && Date.now() < deadline) {
      await sleep(100);
      alive = livePids(tracked);
    }
    for (const pid of alive) signalPid(pid, 'SIGKILL');
    while (livePids(tracked).length > 0 && Date.now() < deadline + 5_000) await sleep(100);
    const left = livePids(tracked);
    if (left.length > 0) throw new Error(`processes survived stop(): ${left.join(', ')}`);

    this.log?.end();
    this.consoleLog?.end();
    // Extension host and window logs explain most failures; keep them next to the screenshots.
    const logs = join(this.userDataDir, 'logs');
    if (existsSync(logs)) cpSync(logs, join(this.artifactsDir, 'vscode-logs'), { recursive: true });
    if (!process.env.MALLOCLENS_E2E_KEEP_TEMP) rmSync(this.tempRoot, { recursive: true, force: true });
  }

  /** Last resort when the test process itself is going away: SIGKILL everything, synchronously. */
  killSync(): void {
    const tracked = this.snapshot();
    for (const leader of [this.browserPid, this.server?.pid]) if (leader !== undefined) signalGroup(leader, 'SIGKILL');
    for (const pid of livePids(tracked)) signalPid(pid, 'SIGKILL');
    rmSync(this.tempRoot, { recursive: true, force: true });
  }
}

// Workbenches not yet stopped. code-server runs in its own process group (and Playwright puts
// Chromium in one too), so a Ctrl+C or an exit without stop() would not reach them: while any is
// live we kill them on exit and on the usual termination signals, then let the signal do its
// default (the handler is removed and the signal raised again).
const liveCleanups = new Set<Cleanup>();
const TERMINATION_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function killLiveSync(): void {
  for (const cleanup of liveCleanups) cleanup.killSync();
  liveCleanups.clear();
}

function onTerminationSignal(signal: NodeJS.Signals): void {
  killLiveSync();
  syncExitHandlers();
  process.kill(process.pid, signal);
}

function syncExitHandlers(): void {
  const installed = process.listeners('exit').includes(killLiveSync);
  if (liveCleanups.size > 0 && !installed) {
    process.on('exit', killLiveSync);
    for (const signal of TERMINATION_SIGNALS) process.on(signal, onTerminationSignal);
  } else if (liveCleanups.size === 0 && installed) {
    process.off('exit', killLiveSync);
    for (const signal of TERMINATION_SIGNALS) process.off(signal, onTerminationSignal);
  }
}

/** The environment for code-server: ours, minus anything that would tie it to another VS Code. */
function codeServerEnv(dataHome: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // VSCODE_IPC_HOOK_CLI and friends (set when running inside a VS Code terminal) make
    // --install-extension and the server talk to that other instance instead.
    if (key.startsWith('VSCODE_') || key.startsWith('ELECTRON_')) continue;
    env[key] = value;
  }
  // code-server writes its own logs (coder-logs) and state under XDG_DATA_HOME; a private one
  // keeps runs apart from each other and out of the user's home.
  env.XDG_DATA_HOME = dataHome;
  return env;
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port ? resolvePort(port) : reject(new Error('no free port'))));
    });
  });
}

/** Polls code-server's /healthz until it answers, failing early if the process exits. */
async function waitForHealthy(server: ChildProcess, port: number, timeoutMs: number, logPath: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (server.exitCode !== null || server.signalCode !== null) {
      throw new Error(`code-server exited (${server.exitCode ?? server.signalCode}) before serving; see ${logPath}:\n${readFileSync(logPath, 'utf8').slice(-4000)}`);
    }
    if (await httpOk(`http://127.0.0.1:${port}/healthz`)) return;
    await sleep(250);
  }
  throw new Error(`code-server did not answer on 127.0.0.1:${port} within ${timeoutMs} ms; see ${logPath}`);
}

function httpOk(url: string): Promise<boolean> {
  return new Promise((done) => {
    const req = httpGet(url, { timeout: 2_000 }, (res) => {
      res.resume();
      done(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => done(false));
  });
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

function signalPid(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // ESRCH: already gone.
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((done) => setTimeout(done, ms));
}

// --- /proc helpers (Linux only, like the rest of this harness) ----------------------------------

interface ProcStat {
  ppid: number;
  state: string;
  startTime: string;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces and parentheses; fields after it are plain.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0], ppid: Number(fields[1]), startTime: fields[19] };
  } catch {
    return undefined;
  }
}

function readCmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function allPids(): number[] {
  return readdirSync('/proc').filter((name) => /^\d+$/.test(name)).map(Number);
}

function childPids(parent: number): number[] {
  return allPids().filter((pid) => readStat(pid)?.ppid === parent);
}

function descendantPids(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const pid of allPids()) {
    const ppid = readStat(pid)?.ppid;
    if (ppid !== undefined) children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [...(children.get(root) ?? [])];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    found.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

function startTime(pid: number): string | undefined {
  return readStat(pid)?.startTime;
}

/** Tracked pids still running: same start time (not a reused pid) and not a zombie. */
function livePids(tracked: Map<number, string>): number[] {
  return [...tracked].filter(([pid, started]) => {
    const stat = readStat(pid);
    return stat !== undefined && stat.startTime === started && stat.state !== 'Z';
  }).map(([pid]) => pid);
}
