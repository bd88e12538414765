/**
 * The proxy's Delve side, which may change peers once: a session starts with a local `dlv dap`
 * (the client's `initialize` needs an answer before the client says where to attach), and a
 * remote attach then moves it to the headless Delve. Listeners stay registered here; what the old
 * peer does after the move (its exit, its closing socket) reaches nobody.
 */
import { EventEmitter } from 'node:events';
import type { DapEndpoint } from './connection';
import type { DapMessage, FramingError } from './framing';

export class DelveLink implements DapEndpoint {
  private readonly events = new EventEmitter();
  private current!: DapEndpoint;

  constructor(first: DapEndpoint) {
    this.use(first);
  }

  get peer(): DapEndpoint {
    return this.current;
  }

  /** From now on messages go to and come from `next`. */
  moveTo(next: DapEndpoint): void {
    this.use(next);
  }

  private use(peer: DapEndpoint): void {
    this.current = peer;
    peer.onMessage((m) => {
      if (peer === this.current) this.events.emit('message', m);
    });
    peer.onProtocolError((e) => {
      if (peer === this.current) this.events.emit('protocolError', e);
    });
    peer.onClose((reason) => {
      if (peer === this.current) this.events.emit('close', reason);
    });
  }

  send(message: DapMessage): void {
    this.current.send(message);
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
    this.current.close();
  }
}
