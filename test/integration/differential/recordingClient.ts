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
  /**
   * The request let the program run (continue, a step, restart, a console `call`): the handles
   * (frames, variables) Delve gave before are void after it, and numbered afresh.
   */
  resumed?: boolean;
  /** What the session was doing then (random sessions: the action), for reports; not compared. */
  during?: string;
}

const RESUMING = new Set(['continue', 'next', 'stepIn', 'stepOut', 'stepBack', 'reverseContinue', 'restart', 'restartFrame', 'goto']);

function resumes(command: string, args: unknown): boolean {
  if (RESUMING.has(command)) return true;
  const expression = (args as { expression?: unknown } | undefined)?.expression;
  return command === 'evaluate' && typeof expression === 'string' && /^\s*call\s/.test(expression);
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
    this.events.push({ kind: 'event', name: event.event, message: reduced ?? (event as unknown as Record<string, unknown>), during: this.during });
    this.arrival.set(event, this.arrivals++);
    const waiting = this.waiters.get(event.event);
    if (waiting && waiting.length > 0) waiting[0](event);
    else this.queues.set(event.event, [...(this.queues.get(event.event) ?? []), event]);
  }

  /** The next event of this name: one already received and not yet taken, or the next to come. */
  next(name: string, timeoutMs = this.eventTimeoutMs): Promise<P.Event> {
    const queued = this.queues.get(name);
    if (queued && queued.length > 0) return Promise.resolve(queued.shift()!);
    if (this.broken) return Promise.reject(new Error(`no ${name} event: ${this.broken}`));
    return new Promise((resolve, reject) => {
      const fail = (why: string) => {
        clearTimeout(timer);
        this.waiters.set(name, (this.waiters.get(name) ?? []).filter((w) => w !== take));
        this.giveUps.delete(fail);
        reject(new Error(`no ${name} event ${why}`));
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      const take = (e: P.Event) => {
        clearTimeout(timer);
        this.waiters.set(name, (this.waiters.get(name) ?? []).filter((w) => w !== take));
        this.giveUps.delete(fail);
        resolve(e);
      };
      this.giveUps.add(fail);
      this.waiters.set(name, [...(this.waiters.get(name) ?? []), take]);
    });
  }

  /**
   * The first of several events to come (or already received and not yet taken), e.g. a `stopped`
   * or a `terminated` after a continue: one waiter for all, so that the others are not taken.
   */
  nextOf(names: string[], timeoutMs = this.eventTimeoutMs): Promise<P.Event> {
    let earliest: { name: string; order: number } | undefined;
    for (const name of names) {
      const head = this.queues.get(name)?.[0];
      if (head && (!earliest || this.arrival.get(head)! < earliest.order)) earliest = { name, order: this.arrival.get(head)! };
    }
    if (earliest) return Promise.resolve(this.queues.get(earliest.name)!.shift()!);
    if (this.broken) return Promise.reject(new Error(`no ${names.join('/')} event: ${this.broken}`));
    return new Promise((resolve, reject) => {
      const detach = () => {
        clearTimeout(timer);
        this.giveUps.delete(fail);
        for (const name of names) this.waiters.set(name, (this.waiters.get(name) ?? []).filter((w) => w !== take));
      };
      const fail = (why: string) => {
        detach();
        reject(new Error(`no ${names.join('/')} event ${why}`));
      };
      const take = (e: P.Event) => {
        detach();
        resolve(e);
      };
      const timer = setTimeout(() => fail(`within ${timeoutMs} ms`), timeoutMs);
      this.giveUps.add(fail);
      for (const name of names) this.waiters.set(name, [...(this.waiters.get(name) ?? []), take]);
    });
  }

  private readonly arrival = new WeakMap<P.Event, number>();
  private arrivals = 0;
  eventTimeoutMs = 60_000;
  private readonly giveUps = new Set<(why: string) => void>();

  /** Marks the session broken (see `broken`) and fails every wait for an event at once. */
  breakSession(why: string): void {
    if (this.broken) return;
    this.broken = why;
    for (const giveUp of [...this.giveUps]) giveUp(`(${why})`);
  }

  /** While set, events are recorded through `reducer` (e.g. a pause stop's location varies run to run). */
  reduceEvents(reducer?: (event: P.Event) => Record<string, unknown> | undefined): void {
    this.eventReducer = reducer;
  }

  /**
   * How long a request may go unanswered. An unanswered request is recorded as such, and from then
   * on the session is `broken`: later requests and waits fail at once, so that a lost answer costs
   * one timeout, not one per remaining step.
   */
  requestTimeoutMs = 20_000;
  /** Stamped on every entry from now on (see TranscriptEntry.during). */
  during?: string;
  broken?: string;

  /** Sends a request and records the response (the whole of it, error bodies too) in the transcript. */
  async call(command: string, args?: unknown, reduce?: Reducer): Promise<P.Response> {
    const response = await this.answer(command, args);
    const message = response as unknown as Record<string, unknown>;
    this.responses.push({ kind: 'response', name: command, message: reduce ? reduce(message) : message, resumed: resumes(command, args), during: this.during });
    if (!response.success && /^no response within/.test(response.message ?? '')) this.breakSession(`${command} unanswered`);
    return response;
  }

  private answer(command: string, args?: unknown): Promise<P.Response> {
    if (this.broken) return Promise.resolve({ seq: 0, type: 'response', request_seq: 0, command, success: false, message: `not sent: ${this.broken}` });
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ seq: 0, type: 'response', request_seq: 0, command, success: false, message: `no response within ${this.requestTimeoutMs} ms` }), this.requestTimeoutMs);
      try {
        (this as unknown as { doSend(c: string, a: unknown, cb: (r: P.Response) => void): void }).doSend(command, args, (r) => {
          clearTimeout(timer);
          resolve(r);
        });
      } catch (e) {
        clearTimeout(timer);
        resolve({ seq: 0, type: 'response', request_seq: 0, command, success: false, message: (e as Error).message });
      }
    });
  }

  /** Sends a request that is not part of the comparison (malloclens's own requests). */
  quiet(command: string, args?: unknown): Promise<P.Response> {
    return this.answer(command, args);
  }
}
