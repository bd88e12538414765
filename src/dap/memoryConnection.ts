/** Two DAP endpoints joined in memory: what one sends, the other receives (asynchronously, in order). */
import { EventEmitter } from 'node:events';
import type { DapEndpoint } from './connection';
import type { DapMessage } from './framing';

class MemoryEndpoint implements DapEndpoint {
  readonly events = new EventEmitter();
  peer!: MemoryEndpoint;
  closed = false;

  send(message: DapMessage): void {
    if (this.closed) return;
    // A deep copy keeps the two sides from sharing (and mutating) one object, as a wire would.
    const copy = JSON.parse(JSON.stringify(message)) as DapMessage;
    setImmediate(() => {
      if (!this.peer.closed) this.peer.events.emit('message', copy);
    });
  }

  onMessage(listener: (message: DapMessage) => void): void {
    this.events.on('message', listener);
  }

  onClose(listener: (reason?: Error) => void): void {
    this.events.on('close', listener);
  }

  onProtocolError(): void {
    // In-memory messages are never malformed.
  }

  close(): void {
    for (const side of [this, this.peer]) {
      if (side.closed) continue;
      side.closed = true;
      setImmediate(() => side.events.emit('close'));
    }
  }
}

export function memoryConnectionPair(): [DapEndpoint, DapEndpoint] {
  const a = new MemoryEndpoint();
  const b = new MemoryEndpoint();
  a.peer = b;
  b.peer = a;
  return [a, b];
}
