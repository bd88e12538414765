/**
 * The debug adapter VS Code runs in the extension host (DebugAdapterInlineImplementation): a
 * vscode.DebugAdapter on one side and the engine's DapEndpoint on the other, so that the adapter
 * session speaks DAP to VS Code exactly as it would over a socket.
 */
import { EventEmitter } from 'node:events';
import * as vscode from 'vscode';
import type { DapEndpoint } from '../dap/connection';
import type { DapMessage } from '../dap/framing';
import { startAdapterSession, AdapterSessionOptions, RunningAdapterSession } from './engineLink';

export class InlineDebugAdapter implements vscode.DebugAdapter, DapEndpoint {
  private readonly toClient = new vscode.EventEmitter<vscode.DebugProtocolMessage>();
  readonly onDidSendMessage = this.toClient.event;
  private readonly events = new EventEmitter();
  private closed = false;
  private session?: RunningAdapterSession;

  start(options: AdapterSessionOptions): this {
    this.session = startAdapterSession(this, options);
    return this;
  }

  // ---- from VS Code (vscode.DebugAdapter) --------------------------------------------------

  handleMessage(message: vscode.DebugProtocolMessage): void {
    if (this.closed) return;
    // A copy, delivered on a later turn, as a wire would: the engine may keep and change what it receives.
    const copy = JSON.parse(JSON.stringify(message)) as DapMessage;
    setImmediate(() => {
      if (!this.closed) this.events.emit('message', copy);
    });
  }

  dispose(): void {
    void this.session?.close();
    this.shut();
  }

  // ---- from the engine (DapEndpoint) -------------------------------------------------------

  send(message: DapMessage): void {
    if (!this.closed) this.toClient.fire(message as vscode.DebugProtocolMessage);
  }

  onMessage(listener: (message: DapMessage) => void): void {
    this.events.on('message', listener);
  }

  onClose(listener: (reason?: Error) => void): void {
    this.events.on('close', listener);
  }

  onProtocolError(): void {
    // Messages from VS Code arrive as objects: there is no framing to get wrong.
  }

  close(): void {
    this.shut();
  }

  private shut(): void {
    if (this.closed) return;
    this.closed = true;
    setImmediate(() => this.events.emit('close'));
  }
}
