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
import { delveWords, WordSource } from './targetMemory';

/** The most frames runtime.mProf_Malloc records before Go 1.23 (`maxStack`). */
const OLD_STACK_LIMIT = 32;

/**
 * Sets runtime.MemProfileRate to 1 (every allocation sampled). Delve's setVariable needs a
 * container with the variable as a child; `&runtime.MemProfileRate` is one, so no Globals scope
 * (which the user would see) has to be switched on.
 */
export async function sampleEveryAllocation(proxy: DapProxy): Promise<void> {
  const pointer = await proxy.call<P.EvaluateResponse['body']>('evaluate', { expression: '&runtime.MemProfileRate', context: 'repl' });
  const children = await proxy.call<P.VariablesResponse['body']>('variables', { variablesReference: pointer.variablesReference });
  const name = children.variables[0]?.name;
  if (!name) throw new Error('cannot reach runtime.MemProfileRate');
  const set = await proxy.call<P.SetVariableResponse['body']>('setVariable', { variablesReference: pointer.variablesReference, name, value: '1' });
  if (set.value !== '1') throw new Error(`runtime.MemProfileRate is ${set.value} after setting it to 1`);
}

/** How deep the runtime records stacks: `profstackdepth` (GODEBUG, default 128) from Go 1.23, 32 before. */
export async function recordedStackLimit(proxy: DapProxy): Promise<number> {
  const depth = await new StackSampler(proxy).integer('runtime.debug.profstackdepth');
  return depth ?? OLD_STACK_LIMIT;
}

export function parsePointer(result: string): bigint {
  const m = /0x[0-9a-f]+/i.exec(result);
  return m ? BigInt(m[0]) : 0n;
}

export interface ProfileReading {
  notes: ProfileTallyNotes;
  /** runtime.MemProfileRate as read, when it is no longer 1 (the program changed it). */
  rateChangedTo?: number;
}

export class ProfileView {
  private readonly reader: ProfileReader;
  private readonly sampler: StackSampler;
  private readonly words: WordSource;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    proxy: DapProxy,
    private readonly symbolizer: Symbolizer,
    private readonly roots: () => UserCodeRoots,
    private readonly stackLimit: number,
  ) {
    this.sampler = new StackSampler(proxy);
    this.words = delveWords(proxy);
    this.reader = new ProfileReader(symbolizer.layout, async () => parsePointer((await proxy.call<P.EvaluateResponse['body']>('evaluate', { expression: 'runtime.mbuckets.value', context: 'repl' })).result));
  }

  /** Reads the profile now (the program must be stopped) and refills `tally`. */
  read(tally: Tally, caught: CaughtAllocations): Promise<ProfileReading> {
    const reading = this.chain.then(() => this.readNow(tally, caught));
    this.chain = reading.catch(() => undefined);
    return reading;
  }

  private async readNow(tally: Tally, caught: CaughtAllocations): Promise<ProfileReading> {
    const symbolizing: Promise<unknown>[] = [];
    const buckets = await this.reader.read(this.words, (stack) => {
      const looked = this.symbolizer.lookup(stack);
      // The read can still fail before these are awaited (the program killed meanwhile); a
      // rejection nobody observes would end the whole adapter process.
      looked.catch(() => undefined);
      symbolizing.push(looked);
    });
    await Promise.all(symbolizing);
    const symbols = await this.symbolizer.lookup([]);
    const rate = await this.sampler.integer('runtime.MemProfileRate');
    const notes = fillTally(tally, { buckets, symbols, roots: this.roots(), stackLimit: this.stackLimit, ...caught });
    return { notes, ...(rate !== 1 && rate !== undefined ? { rateChangedTo: rate } : {}) };
  }

}
