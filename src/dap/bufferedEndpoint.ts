/**
 * Holds a client's messages until someone listens: the adapter must read the first request
 * (`initialize`) to decide which Delve to start, and the proxy it then builds must still see it.
 */
import type { DapEndpoint } from './connection';
import type { DapMessage } from './framing';
import type { FramingError } from './framing';

export class BufferedEndpoint implements DapEndpoint {
  private readonly pending: DapMessage[] = [];
  private listeners: ((message: DapMessage) => void)[] = [];
  private peeker?: (message: DapMessage) => void;

  constructor(private readonly inner: DapEndpoint) {
    inner.onMessage((m) => this.receive(m));
  }

  /** Sees each message first; used before any listener exists. */
  peek(peeker: (message: DapMessage) => void): void {
    this.peeker = peeker;
  }

  private receive(message: DapMessage): void {
    this.peeker?.(message);
    // Until the queue has drained, later messages wait behind it, keeping their order.
    if (this.listeners.length === 0 || this.pending.length > 0) this.pending.push(message);
    else for (const l of this.listeners) l(message);
  }

  send(message: DapMessage): void {
    this.inner.send(message);
  }

  onMessage(listener: (message: DapMessage) => void): void {
    this.listeners.push(listener);
    if (this.listeners.length === 1 && this.pending.length > 0) {
      // Delivered on a later turn, so that the listener's owner can finish setting itself up.
      setImmediate(() => {
        while (this.pending.length > 0) {
          const m = this.pending.shift()!;
          for (const l of this.listeners) l(m);
        }
      });
    }
  }

  onClose(listener: (reason?: Error) => void): void {
    this.inner.onClose(listener);
  }

  onProtocolError(listener: (error: FramingError) => void): void {
    this.inner.onProtocolError(listener);
  }

  close(): void {
    this.inner.close();
  }
}
