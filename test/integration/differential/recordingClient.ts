/**
 * A DAP client (@vscode/debugadapter-testsupport's DebugClient) that keeps a transcript of what
 * the adapter says: every event in order, and every response in request order.
 */
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol as P } from '@vscode/debugprotocol';

export interface TranscriptEntry {
  kind: 'event' | 'response';
  name: string;
  message: Record<string, unknown>;
}

/** Turns an entry into what may be compared (for steps whose details depend on timing). */
export type Reducer = (message: Record<string, unknown>) => Record<string, unknown>;

export class RecordingClient extends DebugClient {
  readonly events: TranscriptEntry[] = [];
  readonly responses: TranscriptEntry[] = [];
  private readonly queues = new Map<string, P.Event[]>();
  private readonly waiters = new Map<string, ((e: P.Event) => void)[]>();
  /** Events the transcript leaves out (malloclens's own tally events are compared separately). */
  readonly ignoredEvents = new Set(['malloclens/tally']);
  readonly tallyEvents: P.Event[] = [];
  private eventReducer?: (event: P.Event) => Record<string, unknown> | undefined;

  constructor() {
    super('unused', 'unused', 'go');
  }

  override emit(name: string | symbol, ...args: unknown[]): boolean {
    const event = args[0] as P.Event | undefined;
    if (typeof name === 'string' && event && (event as { type?: string }).type === 'event') this.record(event);
    return super.emit(name, ...args);
  }

  private record(event: P.Event): void {
    if (this.ignoredEvents.has(event.event)) {
      this.tallyEvents.push(event);
      return;
    }
    const reduced = this.eventReducer?.(event);
    this.events.push({ kind: 'event', name: event.event, message: reduced ?? (event as unknown as Record<string, unknown>) });
    const waiting = this.waiters.get(event.event);
    if (waiting && waiting.length > 0) waiting.shift()!(event);
    else this.queues.set(event.event, [...(this.queues.get(event.event) ?? []), event]);
  }

  /** The next event of this name: one already received and not yet taken, or the next to come. */
  next(name: string, timeoutMs = 60_000): Promise<P.Event> {
    const queued = this.queues.get(name);
    if (queued && queued.length > 0) return Promise.resolve(queued.shift()!);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no ${name} event within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.set(name, [...(this.waiters.get(name) ?? []), (e) => {
        clearTimeout(timer);
        resolve(e);
      }]);
    });
  }

  /** While set, events are recorded through `reducer` (e.g. a pause stop's location varies run to run). */
  reduceEvents(reducer?: (event: P.Event) => Record<string, unknown> | undefined): void {
    this.eventReducer = reducer;
  }

  /** Sends a request and records the response (or the failure) in the transcript. */
  async call(command: string, args?: unknown, reduce?: Reducer): Promise<P.Response> {
    let response: P.Response;
    try {
      response = await this.send(command, args);
    } catch (e) {
      response = { seq: 0, type: 'response', request_seq: 0, command, success: false, message: (e as Error).message };
    }
    const message = response as unknown as Record<string, unknown>;
    this.responses.push({ kind: 'response', name: command, message: reduce ? reduce(message) : message });
    return response;
  }

  /** Sends a request that is not part of the comparison (malloclens's own requests). */
  async quiet(command: string, args?: unknown): Promise<P.Response> {
    try {
      return await this.send(command, args);
    } catch (e) {
      return { seq: 0, type: 'response', request_seq: 0, command, success: false, message: (e as Error).message };
    }
  }
}
