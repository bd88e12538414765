/**
 * The allocations fast mode catches at hidden stops (merged tiny allocations, allocations on the
 * system stack; see runtimeSites.ts), without losing the ones other threads make at the same
 * instant. Delve reports one goroutine per stop and steps every other thread that sits on a
 * breakpoint over it without a word, and fast mode runs at full GOMAXPROCS. So after each caught
 * stop the hit counts Delve keeps (Delve ≥ 1.24.1) are compared with what was caught; when Delve
 * saw more, or when it cannot say, the goroutines running on threads are searched for ones standing
 * on one of these breakpoints, and each of those is caught too.
 *
 * A thread that serves no goroutine (the scheduler creating a thread, say) is not in Delve's
 * `threads` answer and cannot be searched. At a system-stack site that loses nothing: with no
 * goroutine there is no line to charge, and the profile still has the allocation. A merged tiny
 * allocation there is lost, and counted as lost.
 *
 * Without hit counts (Delve 1.20, which debugs Go 1.19) every goroutine found standing on a site
 * is caught. One that stopped there without having hit it yet would hit it again once resumed and
 * be counted twice; that takes two threads on the same few instructions at the same instant, and
 * the oracle tests have not seen it.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { isUserFile, StackFrame, UserCodeRoots } from '../../core/attribution';
import type { HiddenBreakpoints } from '../hiddenBreakpoints';
import type { DapProxy } from '../proxy';
import { StackSampler, StackSample } from '../stackSampler';
import type { CaughtAllocations } from './profileTally';
import { hex } from './targetMemory';

export type SiteKind = 'tiny merge' | 'system stack';

export interface Site {
  kind: SiteKind;
  address: bigint;
}

/** Frames Delve shows where a goroutine's stack continues on the system stack. */
const STACK_SWITCH = /^runtime\.(systemstack_switch|systemstack|mcall|morestack)$/;

/**
 * An allocation is on the system stack when Delve reports the stop without a goroutine (a thread
 * with none) or shows the switch in the stack.
 */
export function onSystemStack(event: P.StoppedEvent, frames: StackFrame[]): boolean {
  return event.body.threadId === undefined || frames.some((f) => STACK_SWITCH.test(f.name));
}

export function parseAddress(reference: string | undefined): bigint | undefined {
  return reference && /^0x[0-9a-f]+$/i.test(reference) ? BigInt(reference) : undefined;
}

const KINDS: SiteKind[] = ['tiny merge', 'system stack'];

/** Delve names goroutines running on a thread `[Go 7] main.work (Thread 1234)`. */
const ON_A_THREAD = /\(Thread \d+\)/;

/** The innermost PCs of a stack: tells a stop apart from the same stop seen through its goroutine. */
function topOf(frames: P.StackFrame[]): string {
  return frames.slice(0, 3).map((f) => f.instructionPointerReference).join(' ');
}

export class StopCatcher {
  readonly caught: CaughtAllocations = { tinyMerges: [], systemStack: new Map() };
  /** Merged tiny allocations Delve counted that no search found (made where no goroutine runs). */
  lost = 0;
  private readonly sampler: StackSampler;
  private byAddress = new Map<bigint, Site>();
  private readonly last: Record<SiteKind, { ids: string; hits: number }> = { 'tiny merge': { ids: '', hits: 0 }, 'system stack': { ids: '', hits: 0 } };

  /** `bps` holds the sites as hidden instruction breakpoints (keyed by address). */
  constructor(
    private readonly proxy: DapProxy,
    private readonly bps: HiddenBreakpoints,
    private readonly roots: () => UserCodeRoots,
    private readonly hitCountsReadable: boolean,
    private readonly log?: (line: string) => void,
  ) {
    this.sampler = new StackSampler(proxy);
  }

  /** The sites now set; call at a stop, where Delve's hit counts can be read. */
  async setSites(sites: Site[]): Promise<void> {
    this.byAddress = new Map(sites.map((s) => [s.address, s]));
    for (const kind of KINDS) this.last[kind].ids = '';
    await this.freshHits();
  }

  /** The site a hidden breakpoint stands for (by address: Delve may renumber breakpoints). */
  siteOf(id: number | undefined): Site | undefined {
    const hidden = this.bps.lookup(id);
    return hidden?.kind === 'instruction' ? this.siteAt(parseAddress(hidden.key)) : undefined;
  }

  siteAt(address: bigint | undefined): Site | undefined {
    return address === undefined ? undefined : this.byAddress.get(address);
  }

  clear(): void {
    this.caught.tinyMerges = [];
    this.caught.systemStack = new Map();
    this.lost = 0;
  }

  private async sample(goroutine: number): Promise<StackSample> {
    const roots = this.roots();
    return this.sampler.framesUntil(goroutine, (frames) => frames.some((f) => isUserFile(f.path, roots)));
  }

  private keep(site: Site, event: P.StoppedEvent, frames: StackFrame[]): void {
    if (site.kind === 'tiny merge') {
      this.caught.tinyMerges.push(frames);
    } else if (onSystemStack(event, frames)) {
      // On a goroutine's own stack the profile already has the line; only system-stack ones need it.
      this.caught.systemStack.set(site.address, [...(this.caught.systemStack.get(site.address) ?? []), frames]);
    }
  }

  /** Catches the allocation at a stop on `site`, and any other thread's at the same instant. */
  async catchStop(event: P.StoppedEvent, site: Site): Promise<void> {
    const sample = await this.sample(event.body.threadId ?? 0);
    this.keep(site, event, sample.frames);
    await this.catchOthers(event, topOf(sample.raw), site.kind);
  }

  /**
   * After a stop that was not on one of these breakpoints nor a pause (a user's breakpoint, the
   * end of a step), threads may have hit one at the same instant. Only Delve's hit counts can tell those from threads that
   * merely stand on the breakpoint's address and will hit it once resumed (catching those now would
   * count them twice), so without hit counts nothing is caught here.
   */
  async catchAround(event: P.StoppedEvent): Promise<void> {
    const fresh = await this.freshHits();
    if (!fresh || KINDS.every((kind) => fresh[kind] <= 0)) return;
    const found = await this.searchThreads(event, '', fresh, true);
    this.noteLost(fresh, found);
  }

  /**
   * After a pause. Delve pauses by sending the process a SIGTRAP, and a thread that stands on one
   * of these breakpoints at that instant may be counted as having hit it and then be stepped over
   * it on resume (the allocation is never reported), or be counted and hit it again on resume
   * (reported once more). Neither can be told from the other here, so each goroutine standing on
   * a site is moved past it by the proxy itself, one instruction at a time (`stepOver`), and
   * caught once; Delve's counts so far are then taken as they are.
   */
  async settleAfterPause(event: P.StoppedEvent, stepOver: (goroutine: number) => Promise<void>): Promise<void> {
    const threads = (await this.proxy.call<P.ThreadsResponse['body']>('threads')).threads ?? [];
    for (const thread of threads) {
      if (!ON_A_THREAD.test(thread.name)) continue;
      const top = await this.sampler.frames(thread.id, 1).catch(() => undefined);
      const site = this.siteAt(parseAddress(top?.raw[0]?.instructionPointerReference));
      if (!site) continue;
      const sample = await this.sample(thread.id);
      // A pending trap can swallow one step: step until the goroutine has left the address.
      for (let tries = 0; tries < 3; tries++) {
        await stepOver(thread.id);
        const now = await this.sampler.frames(thread.id, 1);
        if (parseAddress(now.raw[0]?.instructionPointerReference) !== site.address) break;
      }
      this.keep(site, { ...event, body: { ...event.body, threadId: thread.id } }, sample.frames);
      this.log?.(`moved goroutine ${thread.id} past a ${site.kind} site at a pause`);
    }
    await this.freshHits();
  }

  /**
   * Hits per kind of site that Delve counted since the last call; undefined when Delve cannot
   * say. A new set of breakpoint IDs (Delve renumbers when the set is replaced) starts afresh.
   */
  private async freshHits(): Promise<Record<SiteKind, number> | undefined> {
    if (!this.hitCountsReadable) return undefined;
    const fresh: Record<SiteKind, number> = { 'tiny merge': 0, 'system stack': 0 };
    for (const kind of KINDS) {
      const ids = [...this.byAddress.values()].filter((s) => s.kind === kind).flatMap((s) => this.bps.idsOf('instruction', hex(s.address))).sort((a, b) => a - b);
      if (ids.length === 0) continue;
      const hits = await this.sampler.integer(ids.map((id) => `delve.bphitcount[${id}]`).join(' + '));
      if (hits === undefined) return undefined;
      const key = ids.join(',');
      const last = this.last[kind];
      fresh[kind] = key === last.ids && hits >= last.hits ? hits - last.hits : 0;
      this.last[kind] = { ids: key, hits };
    }
    return fresh;
  }

  private async catchOthers(event: P.StoppedEvent, reportedTop: string, caughtHere: SiteKind): Promise<void> {
    const fresh = await this.freshHits();
    if (fresh) fresh[caughtHere] -= 1;
    if (fresh && KINDS.every((kind) => fresh[kind] <= 0)) return;
    const found = await this.searchThreads(event, reportedTop, fresh, false);
    if (fresh) this.noteLost(fresh, found);
  }

  private noteLost(fresh: Record<SiteKind, number>, found: Record<SiteKind, number>): void {
    this.lost += Math.max(0, fresh['tiny merge'] - found['tiny merge']);
    this.log?.(`Delve counted ${JSON.stringify(fresh)} more hits; found ${JSON.stringify(found)} on threads`);
  }

  /**
   * Goroutines on a thread whose innermost PC is one of the sites, caught up to `limits` per kind;
   * the reported goroutine only when `withReported` (it was not itself a hit on a site).
   */
  private async searchThreads(event: P.StoppedEvent, reportedTop: string, limits: Record<SiteKind, number> | undefined, withReported: boolean): Promise<Record<SiteKind, number>> {
    const found: Record<SiteKind, number> = { 'tiny merge': 0, 'system stack': 0 };
    const threads = (await this.proxy.call<P.ThreadsResponse['body']>('threads')).threads ?? [];
    let skippedReported = false;
    for (const thread of threads) {
      if (limits && KINDS.every((kind) => found[kind] >= limits[kind])) break;
      if (!ON_A_THREAD.test(thread.name) || (!withReported && thread.id === event.body.threadId)) continue;
      const top = await this.sampler.frames(thread.id, 3).catch(() => undefined);
      const site = this.siteAt(parseAddress(top?.raw[0]?.instructionPointerReference));
      if (!site || !top || (limits && found[site.kind] >= limits[site.kind])) continue;
      // A stop reported without a goroutine shows up again as the goroutine its thread serves.
      if (!withReported && event.body.threadId === undefined && !skippedReported && topOf(top.raw) === reportedTop) {
        skippedReported = true;
        continue;
      }
      const sample = await this.sample(thread.id);
      this.keep(site, { ...event, body: { ...event.body, threadId: thread.id } }, sample.frames);
      found[site.kind] += 1;
    }
    return found;
  }
}
