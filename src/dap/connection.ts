/** A DAP peer over any byte stream pair (socket, stdio, pipes). */
import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';
import { DapMessage, encodeMessage, FramingError, MessageDecoder } from './framing';

export interface DapEndpoint {
  send(message: DapMessage): void;
  onMessage(listener: (message: DapMessage) => void): void;
  /** Fired once, when the peer goes away or the stream becomes unreadable. */
  onClose(listener: (reason?: Error) => void): void;
  /** Decoding problems; after a fatal one (`error.fatal`) the connection closes. */
  onProtocolError(listener: (error: FramingError) => void): void;
  close(): void;
}

export class StreamConnection implements DapEndpoint {
  private readonly events = new EventEmitter();
  private readonly decoder = new MessageDecoder();
  private closed = false;

  constructor(private readonly input: Readable, private readonly output: Writable) {
    input.on('data', (chunk: Buffer) => this.receive(chunk));
    input.on('end', () => this.shut());
    input.on('close', () => this.shut());
    input.on('error', (e: Error) => this.shut(e));
    output.on('error', (e: Error) => this.shut(e));
  }

  private receive(chunk: Buffer): void {
    for (const item of this.decoder.push(chunk)) {
      if (this.closed) return;
      if ('message' in item) {
        this.events.emit('message', item.message);
      } else if (item.error.fatal) {
        // Listeners may still write (to say what went wrong) before the connection closes.
        this.events.emit('protocolError', item.error);
        this.shut(item.error);
      } else {
        this.events.emit('protocolError', item.error);
      }
    }
  }

  private shut(reason?: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.events.emit('close', reason);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  send(message: DapMessage): void {
    if (this.closed || this.output.destroyed || this.output.writableEnded) return;
    this.output.write(encodeMessage(message));
  }

  onMessage(listener: (message: DapMessage) => void): void {
    this.events.on('message', listener);
  }

  onClose(listener: (reason?: Error) => void): void {
    this.events.on('close', listener);
  }

  onProtocolError(listener: (error: FramingError) => void): void {
    this.events.on('protocolError', listener);
  }

  close(): void {
    this.shut();
    if (this.input !== (this.output as unknown)) this.input.destroy();
    this.output.end();
  }
}
