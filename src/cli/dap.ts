/**
 * `malloclens dap`: a drop-in for `dlv dap` with allocation counting on. DAP on stdio by default,
 * or on `--listen=127.0.0.1:PORT` (one client, loopback only), printing the same "DAP server
 * listening at" line Delve prints, so that the Go extension (go.alternateTools.dlv) and other
 * editors can start it exactly as they start Delve.
 */
import { appendFileSync, fstatSync, writeSync } from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { PINNED_DELVE } from '../core/versions';
import { AdapterSession } from '../dap/adapterSession';
import { StreamConnection } from '../dap/connection';
import { delveCandidates, delveVersion } from '../dap/delveLocator';
import { waitAtMost } from '../dap/waitAtMost';
import { UsageError } from './usageError';

export interface DapArgs {
  command: 'dap';
  version: boolean;
  listen?: { host: string; port: number };
  log: boolean;
  logOutput?: string;
  logDest?: string;
  /** Flags handed to `dlv dap` as they are. */
  dlvFlags: string[];
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

export function parseListen(value: string): { host: string; port: number } {
  const m = /^(.*):(\d+)$/.exec(value);
  if (!m) throw new UsageError(`--listen wants HOST:PORT, got ${JSON.stringify(value)}`);
  const host = m[1] === '' ? '127.0.0.1' : m[1];
  if (!LOOPBACK.has(host)) throw new UsageError(`--listen ${value}: malloclens listens on loopback only (127.0.0.1, ::1 or localhost)`);
  return { host: host.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** Accepts the flags the Go extension passes to `dlv dap`; others are handed to Delve. */
export function parseDapArgs(argv: string[]): DapArgs {
  const args: DapArgs = { command: 'dap', version: false, log: false, dlvFlags: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      args.dlvFlags.push(...argv.slice(i + 1));
      break;
    }
    if (a === 'version') {
      args.version = true;
      continue;
    }
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--listen': case '-l': args.listen = parseListen(value()); break;
      case '--log': args.log = inline === undefined ? true : inline !== 'false'; break;
      case '--log-output': args.logOutput = value(); break;
      case '--log-dest': args.logDest = value(); break;
      case '--client-addr': throw new UsageError('--client-addr is not supported by malloclens dap; use --listen or stdio');
      default: args.dlvFlags.push(a);
    }
  }
  return args;
}

/** Where `--log` lines go: a file descriptor or file (--log-dest), else stderr. */
function logSink(args: DapArgs): ((line: string) => void) | undefined {
  if (!args.log) return undefined;
  const dest = args.logDest;
  if (dest && /^\d+$/.test(dest)) return (line) => writeSync(Number(dest), `malloclens: ${line}\n`);
  if (dest) return (line) => appendFileSync(dest, `malloclens: ${line}\n`);
  return (line) => process.stderr.write(`malloclens: ${line}\n`);
}

/** Delve's own logging flags, passed through (Delve writes to the same destination). */
function delveLogFlags(args: DapArgs): string[] {
  const flags: string[] = [];
  if (args.log) flags.push('--log');
  if (args.logOutput) flags.push(`--log-output=${args.logOutput}`);
  if (args.logDest && !/^\d+$/.test(args.logDest)) flags.push(`--log-dest=${args.logDest}`);
  else if (args.logDest && fdIsOpen(Number(args.logDest))) flags.push(`--log-dest=${args.logDest}`);
  return flags;
}

function fdIsOpen(fd: number): boolean {
  try {
    fstatSync(fd);
    return true;
  } catch {
    return false;
  }
}

export async function runDapVersion(version: string): Promise<number> {
  process.stdout.write(`malloclens ${version}\n`);
  for (const candidate of await delveCandidates()) {
    try {
      const v = await delveVersion(candidate);
      process.stdout.write(`Delve ${v.major}.${v.minor}.${v.patch} at ${candidate}\n`);
      return 0;
    } catch {
      // try the next
    }
  }
  process.stdout.write(`no Delve found; malloclens installs Delve ${PINNED_DELVE.version} when a session starts\n`);
  return 0;
}

/**
 * SIGTERM, SIGINT or SIGHUP (an editor ending its adapter) ends the session as a disconnect would:
 * Delve and the debuggee go too, within a few seconds, and then this process.
 */
function endOnSignals(end: () => Promise<void>): void {
  for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void waitAtMost(end(), 4000).finally(() => process.exit(128 + os.constants.signals[signal]));
    });
  }
}

export async function runDap(args: DapArgs, version: string): Promise<number> {
  if (args.version) return runDapVersion(version);
  const log = logSink(args) ?? (process.env.MALLOCLENS_DEBUG ? (line: string) => process.stderr.write(`malloclens: ${line}\n`) : undefined);
  const dlvFlags = [...delveLogFlags(args), ...args.dlvFlags];
  // Delve inherits a numbered log destination (the Go extension passes --log-dest=3 and reads fd 3).
  const inheritFds = args.logDest && /^\d+$/.test(args.logDest) && Number(args.logDest) > 2 && fdIsOpen(Number(args.logDest)) ? [Number(args.logDest)] : [];
  let current: AdapterSession | undefined;
  const session = (client: StreamConnection, output: 'events' | 'inherit') =>
    (current = new AdapterSession(client, { output, dlvFlags, inheritFds, log, cwd: process.cwd() }));
  endOnSignals(() => current?.close('malloclens was told to stop') ?? Promise.resolve());

  if (!args.listen) {
    const s = session(new StreamConnection(process.stdin, process.stdout), 'events');
    await s.closed;
    process.stdin.destroy();
    return 0;
  }

  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(args.listen!.port, args.listen!.host, resolve);
  });
  const address = server.address() as net.AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  // The Go extension waits for exactly this line before it connects.
  process.stdout.write(`DAP server listening at: ${shown}:${address.port}\n`);
  const socket = await new Promise<net.Socket>((resolve) => server.once('connection', resolve));
  // One client per server, like `dlv dap`: later connections are turned away.
  server.on('connection', (extra: net.Socket) => extra.destroy());
  const s = session(new StreamConnection(socket, socket), 'inherit');
  await s.closed;
  // The session is over whether or not the client hangs up: don't wait for it to.
  socket.destroy();
  server.close();
  return 0;
}
