/** A minimal DAP client the CLI drives the proxy with: requests by promise, events by callback. */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapEndpoint } from './connection';
import type { DapMessage } from './framing';

export class HeadlessClient {
  private seq = 1;
  private readonly pending = new Map<number, (response: P.Response) => void>();
  private readonly eventListeners: ((event: P.Event) => void)[] = [];
  private closed = false;

  constructor(private readonly endpoint: DapEndpoint) {
    endpoint.onMessage((m) => this.receive(m));
    endpoint.onClose(() => {
      this.closed = true;
      for (const [seq, resolve] of this.pending) {
        this.pending.delete(seq);
        resolve({ seq: 0, type: 'response', request_seq: seq, command: '', success: false, message: 'connection closed' });
      }
    });
  }

  onEvent(listener: (event: P.Event) => void): void {
    this.eventListeners.push(listener);
  }

  request(command: string, args?: unknown): Promise<P.Response> {
    if (this.closed) return Promise.resolve({ seq: 0, type: 'response', request_seq: 0, command, success: false, message: 'connection closed' });
    const seq = this.seq++;
    return new Promise((resolve) => {
      this.pending.set(seq, resolve);
      this.endpoint.send({ seq, type: 'request', command, ...(args === undefined ? {} : { arguments: args }) } as DapMessage);
    });
  }

  /** Resolves with the first event named `name` that satisfies `accept`. */
  waitFor(name: string, accept: (event: P.Event) => boolean = () => true): Promise<P.Event> {
    return new Promise((resolve) => {
      const listener = (event: P.Event) => {
        if (event.event === name && accept(event)) {
          this.eventListeners.splice(this.eventListeners.indexOf(listener), 1);
          resolve(event);
        }
      };
      this.eventListeners.push(listener);
    });
  }

  private receive(message: DapMessage): void {
    if (message.type === 'response') {
      const response = message as unknown as P.Response;
      const resolve = this.pending.get(response.request_seq);
      this.pending.delete(response.request_seq);
      resolve?.(response);
    } else if (message.type === 'event') {
      for (const l of [...this.eventListeners]) l(message as unknown as P.Event);
    }
  }

  close(): void {
    this.endpoint.close();
  }
}
