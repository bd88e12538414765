/**
 * A Delve started elsewhere (`dlv --headless --accept-multiclient --listen HOST:PORT debug|exec …`,
 * in a container or a pod, its port forwarded): an `attach` with `"mode": "remote"` reaches it at
 * the request's `host` and `port`, as the Go extension's remote configurations do. Delve's headless
 * server takes a DAP client and JSON-RPC clients on the same port; the JSON-RPC side says which
 * Delve it is, which DAP does not (the counting engines need its version).
 */
import * as net from 'node:net';
import { parseVersion, Version } from '../core/versions';
import { StreamConnection } from './connection';

export interface RemoteAddress {
  host: string;
  port: number;
}

export class RemoteDelveError extends Error {}

/** The address of a remote attach; undefined for any other request. Throws on a bad host or port. */
export function remoteAddress(command: string, args: Record<string, unknown>): RemoteAddress | undefined {
  if (command !== 'attach' || args.mode !== 'remote') return undefined;
  const host = args.host === undefined || args.host === '' ? '127.0.0.1' : args.host;
  const port = Number(args.port);
  if (typeof host !== 'string') throw new RemoteDelveError(`"host" must be a string, got ${JSON.stringify(args.host)}`);
  if (!Number.isInteger(port) || port <= 0 || port > 65535) {
    throw new RemoteDelveError(`a remote attach needs the "port" of the headless Delve (dlv --headless --accept-multiclient --listen HOST:PORT), got ${JSON.stringify(args.port)}`);
  }
  return { host, port };
}

function open(address: RemoteAddress, timeoutMs: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(address.port, address.host);
    const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new RemoteDelveError(`cannot reach the headless Delve at ${address.host}:${address.port} (${e.message}); is \`dlv --headless --accept-multiclient --listen ${address.host}:${address.port}\` running there, and its port forwarded?`));
    };
    socket.once('error', fail);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', fail);
      resolve(socket);
    });
  });
}

/** A DAP connection to the headless Delve. */
export async function connectRemoteDelve(address: RemoteAddress, timeoutMs = 10_000): Promise<{ connection: StreamConnection; socket: net.Socket }> {
  const socket = await open(address, timeoutMs);
  return { connection: new StreamConnection(socket, socket), socket };
}

export interface RemoteDelveInfo {
  delve?: Version;
  /** `go1.26.8`, as Delve read it from the executable. */
  goVersion?: string;
}

/**
 * Asks the headless server, on a JSON-RPC connection of its own, for its version
 * (`RPCServer.GetVersion`). Empty when it does not answer in time (another server, an older API).
 */
export async function remoteDelveInfo(address: RemoteAddress, timeoutMs = 3000): Promise<RemoteDelveInfo> {
  let socket: net.Socket | undefined;
  try {
    socket = await open(address, timeoutMs);
    const connected = socket;
    const line = await new Promise<string>((resolve, reject) => {
      let text = '';
      const timer = setTimeout(() => reject(new Error('no answer')), timeoutMs);
      connected.on('data', (d: Buffer) => {
        text += d.toString();
        const end = text.indexOf('\n');
        if (end >= 0 || text.trim().endsWith('}')) {
          clearTimeout(timer);
          resolve(end >= 0 ? text.slice(0, end) : text);
        }
      });
      connected.once('error', reject);
      connected.write(`${JSON.stringify({ method: 'RPCServer.GetVersion', params: [{}], id: 1 })}\n`);
    });
    const result = (JSON.parse(line) as { result?: { DelveVersion?: string; TargetGoVersion?: string } }).result ?? {};
    const delve = /Version:\s*(\d+\.\d+\.\d+)/.exec(result.DelveVersion ?? '');
    const go = /go\d+\.\d+(\.\d+)?/.exec(result.TargetGoVersion ?? '');
    return { ...(delve ? { delve: parseVersion(delve[1]) } : {}), ...(go ? { goVersion: go[0] } : {}) };
  } catch {
    return {};
  } finally {
    socket?.destroy();
  }
}

/**
 * The client's `initialize`, said again to the headless Delve (the client said it to the local
 * `dlv dap` before naming the remote one): Delve answers nothing else before it.
 */
export function initializeOver(connection: StreamConnection, args: unknown, timeoutMs = 10_000): Promise<{ success: boolean; message?: string }> {
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (result: { success: boolean; message?: string } | Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (result instanceof Error) reject(result);
      else resolve(result);
    };
    const timer = setTimeout(() => finish(new RemoteDelveError(`the headless Delve did not answer initialize within ${timeoutMs / 1000} s`)), timeoutMs);
    connection.onMessage((m) => {
      const message = m as unknown as { type: string; request_seq?: number; command?: string; success?: boolean; message?: string };
      if (message.type === 'response' && message.command === 'initialize') finish({ success: message.success === true, message: message.message });
    });
    connection.onClose((reason) => finish(new RemoteDelveError(`the headless Delve closed the connection${reason ? ` (${reason.message})` : ''}; does it run with --accept-multiclient, and is another client connected?`)));
    connection.send({ seq: 1, type: 'request', command: 'initialize', ...(args === undefined ? {} : { arguments: args }) } as never);
  });
}
