/**
 * A DAP middleware between a client and Delve. On its own it forwards everything unchanged, keeping
 * one sequence-number space per side so that it can add requests of its own (answered to it, never to
 * the client) and answer client requests itself. What it changes is decided by the hooks.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapEndpoint } from './connection';
import type { DapMessage } from './framing';

export interface ProxyHooks {
  /**
   * Sees each client request in arrival order (after any held ones). Return true when the hook has
   * forwarded or answered the request itself. A returned promise delays the next client request.
   */
  onClientRequest?(request: P.Request): boolean | Promise<boolean>;
  /** Sees each Delve event in arrival order; return true to keep it from the client. */
  onDelveEvent?(event: P.Event): boolean;
  /** Sees Delve's response to a client request, as it goes to the client. */
  onClientResponse?(response: P.Response): void;
  /** Delve's side went away (process exit, socket closed, unreadable stream). */
  onDelveClosed?(reason?: Error): void;
  /** The client went away. */
  onClientClosed?(reason?: Error): void;
}

type Pending =
  | { origin: 'client'; clientSeq: number; command: string; transform?: (response: P.Response) => P.Response; settled?: (response: P.Response) => void }
  | { origin: 'proxy'; command: string; resolve: (response: P.Response) => void; reject: (error: Error) => void };

/** Requests the client may send while others are held, because holding them would hang the UI. */
const NEVER_HELD = new Set(['pause', 'disconnect', 'terminate']);

export class DelveGoneError extends Error {}

export class DapProxy {
  private toClientSeq = 1;
  private toDelveSeq = 1;
  private readonly pending = new Map<number, Pending>();
  /** Reverse requests from Delve (e.g. runInTerminal) forwarded to the client: our seq → Delve's. */
  private readonly reverse = new Map<number, number>();
  private readonly queue: P.Request[] = [];
  private pumping = false;
  private holds = 0;
  private hooks: ProxyHooks = {};
  private delveOpen = true;
  /** Delve has reported the debuggee's end, or the proxy has on its behalf. */
  private ended = false;
  /** The proxy reported the end for Delve: Delve's own, should it come after all, is a repeat. */
  private endReportedForDelve = false;
  private clientOpen = true;

  /**
   * `firstClientSeq`: where this proxy's numbering of messages to the client starts, when someone
   * else already spoke to the client on the same connection.
   */
  constructor(
    private readonly client: DapEndpoint,
    private readonly delve: DapEndpoint,
    private readonly log: (line: string) => void = () => {},
    firstClientSeq = 1,
  ) {
    this.toClientSeq = firstClientSeq;
    client.onMessage((m) => this.fromClient(m));
    delve.onMessage((m) => this.fromDelve(m));
    client.onProtocolError((e) => this.log(`client sent a malformed message: ${e.message}`));
    delve.onProtocolError((e) => this.log(`Delve sent a malformed message: ${e.message}`));
    client.onClose((reason) => {
      if (!this.clientOpen) return;
      this.clientOpen = false;
      this.hooks.onClientClosed?.(reason);
    });
    delve.onClose((reason) => this.delveClosed(reason));
  }

  setHooks(hooks: ProxyHooks): void {
    this.hooks = hooks;
  }

  get isDelveOpen(): boolean {
    return this.delveOpen;
  }

  // ---- toward the client -------------------------------------------------------------------

  /** Numbered in this proxy's sequence, `seq` first as Delve writes it. */
  sendToClient(message: Omit<P.ProtocolMessage, 'seq'> & Record<string, unknown>): void {
    if (!this.clientOpen) return;
    const { seq: _delves, ...rest } = message as Record<string, unknown>;
    this.client.send({ seq: this.toClientSeq++, ...rest } as DapMessage);
  }

  forwardEvent(event: P.Event): void {
    this.sendToClient({ ...event });
  }

  sendEvent(event: string, body?: unknown): void {
    this.sendToClient({ type: 'event', event, ...(body === undefined ? {} : { body }) });
  }

  /** A success response, its fields in the order Delve writes them. */
  respond(request: P.Request, body?: unknown): void {
    this.sendToClient({ type: 'response', request_seq: request.seq, success: true, command: request.command, ...(body === undefined ? {} : { body }) });
  }

  respondError(request: P.Request, message: string, id = 9000): void {
    this.sendToClient({
      type: 'response', request_seq: request.seq, command: request.command, success: false, message,
      body: { error: { id, format: message, showUser: true } },
    });
  }

  // ---- toward Delve ------------------------------------------------------------------------

  /**
   * Sends a client request on to Delve; the response goes back to the client, after `transform`
   * (successful responses only). `settled` sees every answer, failed ones too, once the client has it.
   */
  forward(request: P.Request, args: unknown = request.arguments, transform?: (response: P.Response) => P.Response, settled?: (response: P.Response) => void): void {
    if (!this.delveOpen) {
      this.respondError(request, 'Delve is not running.');
      settled?.({ seq: 0, type: 'response', request_seq: request.seq, command: request.command, success: false, message: 'Delve is not running.' });
      return;
    }
    const seq = this.toDelveSeq++;
    this.pending.set(seq, { origin: 'client', clientSeq: request.seq, command: request.command, transform, settled });
    this.delve.send({ seq, type: 'request', command: request.command, ...(args === undefined ? {} : { arguments: args }) } as DapMessage);
  }

  /** A request of the proxy's own; its response never reaches the client. */
  request(command: string, args?: unknown): Promise<P.Response> {
    if (!this.delveOpen) return Promise.reject(new DelveGoneError(`Delve is not running (${command})`));
    const seq = this.toDelveSeq++;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { origin: 'proxy', command, resolve, reject });
      this.delve.send({ seq, type: 'request', command, ...(args === undefined ? {} : { arguments: args }) } as DapMessage);
    });
  }

  /** Like `request`, but a failed response rejects. */
  async call<T = unknown>(command: string, args?: unknown): Promise<T> {
    const response = await this.request(command, args);
    if (!response.success) throw new Error(`${command}: ${response.message ?? 'failed'}`);
    return response.body as T;
  }

  // ---- holding client requests while the proxy owns the target ---------------------------

  /** Keeps client requests (other than pause, disconnect, terminate) queued until `release`. */
  hold(): void {
    this.holds += 1;
  }

  release(): void {
    this.holds = Math.max(0, this.holds - 1);
    if (this.holds === 0) void this.pump();
  }

  get isHolding(): boolean {
    return this.holds > 0;
  }

  // ---- routing ------------------------------------------------------------------------------

  private fromClient(message: DapMessage): void {
    if (message.type === 'request') {
      const request = message as unknown as P.Request;
      if (this.holds > 0 && NEVER_HELD.has(request.command)) {
        void this.dispatch(request);
        return;
      }
      this.queue.push(request);
      void this.pump();
    } else if (message.type === 'response') {
      const response = message as unknown as P.Response;
      const delveSeq = this.reverse.get(response.request_seq);
      if (delveSeq === undefined) return;
      this.reverse.delete(response.request_seq);
      this.delve.send({ ...response, seq: this.toDelveSeq++, request_seq: delveSeq } as unknown as DapMessage);
    }
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0 && this.holds === 0) {
        await this.dispatch(this.queue.shift()!);
      }
    } finally {
      this.pumping = false;
    }
  }

  private async dispatch(request: P.Request): Promise<void> {
    try {
      const handled = (await this.hooks.onClientRequest?.(request)) ?? false;
      if (!handled) this.forward(request);
    } catch (e) {
      this.log(`handling ${request.command} failed: ${(e as Error).stack ?? e}`);
      this.respondError(request, `malloclens: ${(e as Error).message}`);
    }
  }

  private fromDelve(message: DapMessage): void {
    if (message.type === 'response') {
      const response = message as unknown as P.Response;
      const pending = this.pending.get(response.request_seq);
      if (!pending) return;
      this.pending.delete(response.request_seq);
      if (pending.origin === 'proxy') {
        pending.resolve(response);
        return;
      }
      let out: P.Response = { ...response, request_seq: pending.clientSeq };
      if (pending.transform && response.success) out = pending.transform(out);
      this.sendToClient({ ...out });
      this.hooks.onClientResponse?.(out);
      pending.settled?.(out);
    } else if (message.type === 'event') {
      const event = message as unknown as P.Event;
      const end = event.event === 'exited' || event.event === 'terminated';
      if (end && this.endReportedForDelve) return;
      if (event.event === 'terminated') this.ended = true;
      let swallow = false;
      try {
        swallow = this.hooks.onDelveEvent?.(event) ?? false;
      } catch (e) {
        this.log(`handling Delve event ${event.event} failed: ${(e as Error).stack ?? e}`);
      }
      if (!swallow) this.forwardEvent(event);
    } else if (message.type === 'request') {
      const seq = this.toClientSeq++;
      this.reverse.set(seq, message.seq);
      if (this.clientOpen) this.client.send({ ...message, seq } as DapMessage);
    }
  }

  private delveClosed(reason?: Error): void {
    if (!this.delveOpen) return;
    this.delveOpen = false;
    for (const [seq, pending] of this.pending) {
      this.pending.delete(seq);
      if (pending.origin === 'proxy') {
        pending.reject(new DelveGoneError(`Delve went away before answering ${pending.command}`));
      } else {
        const failed = { seq: 0, type: 'response' as const, request_seq: pending.clientSeq, command: pending.command, success: false, message: 'Delve exited before answering.' };
        this.sendToClient({ ...failed });
        pending.settled?.(failed);
      }
    }
    this.hooks.onDelveClosed?.(reason);
  }

  get debuggeeEnded(): boolean {
    return this.ended;
  }

  /**
   * Reports the debuggee's end where Delve did not (see processState.ts): `exited` and
   * `terminated`, seen by the hooks as Delve's own and then by the client. Once only.
   */
  reportDebuggeeEnd(exitCode: number | undefined): void {
    if (this.ended) return;
    this.fromDelve({ seq: 0, type: 'event', event: 'exited', body: { exitCode: exitCode ?? -1 } } as DapMessage);
    this.fromDelve({ seq: 0, type: 'event', event: 'terminated', body: {} } as DapMessage);
    this.endReportedForDelve = true;
  }

  closeClient(): void {
    this.clientOpen = false;
    this.client.close();
  }

  closeDelve(): void {
    this.delve.close();
  }
}
