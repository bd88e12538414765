/**
 * One place that knows how to read the stopped program's profile into a tally: turning on full
 * sampling, reading the buckets, symbolizing new PCs, and reconciling them with the allocations
 * caught at stops. Reads are serialized: the reader's knowledge of the bucket list must follow one
 * reading at a time.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { UserCodeRoots } from '../../core/attribution';
import type { Tally } from '../../core/tally';
import type { DapProxy } from '../proxy';
import { StackSampler } from '../stackSampler';
import { ProfileReader } from './profileReader';
import { CaughtAllocations, fillTally, ProfileTallyNotes } from './profileTally';
import type { Symbolizer } from './symbolizer';
import type { ProcessMemory } from './processMemory';
import { delveWords, MemoryReadError, RangeCache, WordMemory, WordSource } from './targetMemory';

/** The most frames runtime.mProf_Malloc records before Go 1.23 (`maxStack`). */
const OLD_STACK_LIMIT = 32;

/**
 * Sets runtime.MemProfileRate (1: every allocation sampled) and resolves to what it was. Delve's
 * setVariable needs a container with the variable as a child; `&runtime.MemProfileRate` is one,
 * so no Globals scope (which the user would see) has to be switched on.
 */
export async function setMemProfileRate(proxy: DapProxy, rate: number): Promise<string> {
  const pointer = await proxy.call<P.EvaluateResponse['body']>('evaluate', { expression: '&runtime.MemProfileRate', context: 'repl' });
  const children = await proxy.call<P.VariablesResponse['body']>('variables', { variablesReference: pointer.variablesReference });
  const name = children.variables[0]?.name;
  if (!name) throw new Error('cannot reach runtime.MemProfileRate');
  const before = children.variables[0].value;
  const set = await proxy.call<P.SetVariableResponse['body']>('setVariable', { variablesReference: pointer.variablesReference, name, value: String(rate) });
  if (set.value !== String(rate)) throw new Error(`runtime.MemProfileRate is ${set.value} after setting it to ${rate}`);
  return before;
}

/** The runtime's default profstackdepth (Go ≥ 1.23), before the program's GODEBUG is read. */
const DEFAULT_STACK_LIMIT = 128;

/**
 * How deep the runtime records stacks (`profstackdepth`, GODEBUG, from Go 1.23; 32 before),
 * asked of Delve at a reading and kept once read: a profile opened at the program's entry is
 * opened before the runtime has read GODEBUG (profstackdepth is 0 then). Where Delve cannot
 * answer (the program runs), the runtime's default for its version stands in until it can.
 */
export function stackLimitAtReading(proxy: DapProxy, goMinor: number | undefined): () => Promise<number> {
  if (goMinor !== undefined && goMinor < 23) return async () => OLD_STACK_LIMIT;
  let known: number | undefined;
  return async () => {
    if (known === undefined) {
      const depth = await new StackSampler(proxy).integer('runtime.debug.profstackdepth').catch(() => undefined);
      if (depth !== undefined && depth > 0) known = depth;
    }
    return known ?? (goMinor === undefined ? OLD_STACK_LIMIT : DEFAULT_STACK_LIMIT);
  };
}

export function parsePointer(result: string): bigint {
  const m = /0x[0-9a-f]+/i.exec(result);
  return m ? BigInt(m[0]) : 0n;
}

export interface ProfileReading {
  notes: ProfileTallyNotes;
  /** Where the reading's time went, for the debug log. */
  timing: string;
  /** runtime.MemProfileRate as read, when it is no longer 1 (the program changed it). */
  rateChangedTo?: number;
}

/** Where the program's memory is read from: /proc/PID/mem, or Delve's requests. */
export type MemoryRoute = 'process' | 'delve';

export class ProfileView {
  private readonly reader: ProfileReader;
  private readonly sampler: StackSampler;
  private readonly delve: WordSource;
  private chain: Promise<unknown> = Promise.resolve();
  /** Addresses of runtime.mbuckets and runtime.MemProfileRate, once known. */
  private addresses?: { head: bigint; rate: bigint };

  constructor(
    private readonly proxy: DapProxy,
    private readonly symbolizer: Symbolizer,
    private readonly roots: () => UserCodeRoots,
    /** How deep the runtime records stacks, at a reading. */
    private readonly stackLimit: () => Promise<number>,
    /** The program's own memory, when the kernel lets the proxy read it. */
    private readonly process?: ProcessMemory,
  ) {
    this.sampler = new StackSampler(proxy);
    this.delve = delveWords(proxy);
    this.reader = new ProfileReader(symbolizer.layout, () => this.head());
  }

  get route(): MemoryRoute {
    return this.process ? 'process' : 'delve';
  }

  /**
   * Learns where the profile's head and the sampling rate live (the program must be stopped): from
   * the executable's symbols where they are its addresses, else from Delve. Checks that the
   * process's memory says what Delve says there.
   */
  async locate(): Promise<void> {
    if (!this.process) return;
    const address = async (expression: string) => BigInt((await this.sampler.integer(`uintptr(&${expression})`)) ?? 0);
    const globals = this.symbolizer.layout.globals ?? {};
    const known = (name: string) => (globals[name] ? BigInt(globals[name]) : undefined);
    const [head, rate, viaDelve] = await Promise.all([
      known('runtime.mbuckets') ?? address('runtime.mbuckets'),
      known('runtime.MemProfileRate') ?? address('runtime.MemProfileRate'),
      this.sampler.integer('runtime.MemProfileRate'),
    ]);
    if (head === 0n || rate === 0n) throw new MemoryReadError('Delve cannot say where runtime.mbuckets and runtime.MemProfileRate are');
    const [direct] = await this.process.reading().words(rate, 1);
    if (viaDelve === undefined || direct !== BigInt(viaDelve)) {
      throw new MemoryReadError(`the process's memory does not match Delve's reading (MemProfileRate ${direct} against ${viaDelve})`);
    }
    this.addresses = { head, rate };
  }

  /**
   * Sets runtime.MemProfileRate and resolves to what it was: in the process's memory where it can
   * be written (no request to Delve), else with Delve's setVariable.
   */
  async setRate(rate: number): Promise<string> {
    if (this.addresses && this.process?.writable) {
      const [before] = await this.process.reading().words(this.addresses.rate, 1);
      this.process.writeWord(this.addresses.rate, BigInt(rate));
      return String(BigInt.asIntN(64, before));
    }
    return setMemProfileRate(this.proxy, rate);
  }

  private async evaluate(expression: string): Promise<string> {
    return (await this.proxy.call<P.EvaluateResponse['body']>('evaluate', { expression, context: 'repl' })).result;
  }

  private memory: WordMemory = new RangeCache(async () => []);

  private async head(): Promise<bigint> {
    if (this.addresses) return (await this.memory.words(this.addresses.head, 1))[0];
    return parsePointer(await this.evaluate('runtime.mbuckets.value'));
  }

  private async rate(): Promise<number | undefined> {
    if (this.addresses) return Number(BigInt.asIntN(64, (await this.memory.words(this.addresses.rate, 1))[0]));
    return this.sampler.integer('runtime.MemProfileRate');
  }

  /**
   * Reads the profile now and refills `tally`. Through Delve the program must be stopped; from
   * the process's memory it may run (a reading while it runs is a moment's view, exact at stops).
   */
  read(tally: Tally, caught: CaughtAllocations): Promise<ProfileReading> {
    const reading = this.chain.then(() => this.readNow(tally, caught));
    this.chain = reading.catch(() => undefined);
    return reading;
  }

  /** The program's memory as it is now (for one reading). */
  memoryNow(): WordMemory {
    return this.addresses ? this.process!.reading() : new RangeCache(this.delve);
  }

  /** True when readings need no stop. */
  get readsWhileRunning(): boolean {
    return this.addresses !== undefined;
  }

  /**
   * How many allocations the profile holds now, without symbolizing anything (where profiling
   * starts: what the default sampling rate recorded before).
   */
  profiledCount(): Promise<number> {
    const counted = this.chain.then(async () => {
      this.memory = this.memoryNow();
      const pcs: number[] = [];
      const buckets = await this.reader.read(this.memory, (stack) => pcs.push(...stack));
      this.unsymbolized.push(...pcs);
      // Symbolized while the program runs: the helper reads the runtime's compile unit now, not
      // at the reading that ends the run.
      this.symbolizer.lookup(pcs).catch(() => undefined);
      return buckets.reduce((n, b) => n + b.allocs, 0);
    });
    this.chain = counted.catch(() => undefined);
    return counted;
  }

  /** PCs of stacks read by profiledCount, for the next reading to symbolize. */
  private unsymbolized: number[] = [];

  private async readNow(tally: Tally, caught: CaughtAllocations): Promise<ProfileReading> {
    const started = performance.now();
    this.memory = this.memoryNow();
    const pcs: number[] = this.unsymbolized;
    this.unsymbolized = [];
    const buckets = await this.reader.read(this.memory, (stack) => pcs.push(...stack));
    const read = performance.now();
    const symbols = await this.symbolizer.lookup(pcs);
    const symbolized = performance.now();
    const rate = await this.rate();
    const notes = fillTally(tally, { buckets, symbols, roots: this.roots(), stackLimit: await this.stackLimit(), ...caught });
    const ms = (from: number, to: number) => Math.round(to - from);
    const timing = `${buckets.length} buckets, ${pcs.length} new PCs: read ${ms(started, read)} ms, symbolized ${ms(read, symbolized)} ms, tallied ${ms(symbolized, performance.now())} ms`;
    return { notes, timing, ...(rate !== 1 && rate !== undefined ? { rateChangedTo: rate } : {}) };
  }
}
