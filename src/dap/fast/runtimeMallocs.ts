/**
 * The runtime's own count of heap allocations so far — what `runtime.MemStats.Mallocs` would say —
 * read from the stopped program, so that a whole run's report can say whether it accounts for
 * every allocation the runtime made. ReadMemStats computes it from the consistent heap stats
 * (`memstats.heapStats`, every generation: large, per-size-class and tiny allocation counts) after
 * flushing each P's cache; without flushing, each cached span's slots used since it was cached
 * (`allocCount - allocCountBeforeCache`) and each cache's `tinyAllocs` are added here instead.
 *
 * Where those fields are comes from the binary's DWARF and symbol table (the symbolizer's layout),
 * or, where the binary lacks them, from Delve (`uintptr(&…)`, all at once) where profiling
 * starts; every count is memory reads only: the Ps and their caches are followed from
 * `runtime.allp` by those offsets, so a count costs no request.
 */
import type { DapProxy } from '../proxy';
import { StackSampler } from '../stackSampler';
import { ProfileLayout, WORD } from './profileLayout';
import type { WordMemory } from './targetMemory';

/** A 16-bit field read through the aligned word that holds it (little-endian). */
async function uint16At(memory: WordMemory, address: bigint): Promise<number> {
  const base = address - (address % BigInt(WORD));
  const [word] = await memory.words(base, 1);
  return Number((word >> (8n * (address - base))) & 0xffffn);
}

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

export interface Layout {
  /** Per heap-stats generation: the addresses of largeAllocCount, tinyAllocCount, smallAllocCount. */
  generations: { large: bigint; tiny: bigint; small: bigint }[];
  sizeClasses: number;
  /** The slice header of runtime.allp. */
  allp: bigint;
  /** Offsets: of `mcache` in a p; of `alloc` and `tinyAllocs` in an mcache; of the two counts in an mspan. */
  pCache: bigint;
  cacheAlloc: bigint;
  cacheTiny: bigint;
  spanClasses: number;
  emptySpan: bigint;
  spanAllocCount: bigint;
  spanBeforeCache: bigint;
}

/** The layout from the binary's DWARF and symbols; undefined where the binary does not say all of it. */
export function layoutFromBinary(binary: ProfileLayout): Layout | undefined {
  const { mstats, consistentHeapStats: heap, heapStatsDelta: delta, p, mcache, mspan, globals } = binary;
  if (!mstats || !heap || !delta || !p || !mcache || !mspan || !globals) return undefined;
  const offsets = [mstats.fields.heapStats, heap.fields.stats, delta.fields.largeAllocCount, delta.fields.tinyAllocCount, delta.fields.smallAllocCount,
    p.fields.mcache, mcache.fields.alloc, mcache.fields.tinyAllocs, mspan.fields.allocCount, mspan.fields.allocCountBeforeCache];
  const counts = [heap.statsCount, delta.smallAllocCountCount, mcache.allocCount];
  const [memstats, allp, empty] = ['runtime.memstats', 'runtime.allp', 'runtime.emptymspan'].map((name) => globals[name]);
  if (offsets.some((o) => o === undefined) || counts.some((c) => c === undefined) || !memstats || !allp || !empty) return undefined;
  const stats = BigInt(memstats) + BigInt(mstats.fields.heapStats) + BigInt(heap.fields.stats);
  return {
    generations: Array.from({ length: heap.statsCount }, (_, g) => {
      const at = stats + BigInt(g * delta.size);
      return { large: at + BigInt(delta.fields.largeAllocCount), tiny: at + BigInt(delta.fields.tinyAllocCount), small: at + BigInt(delta.fields.smallAllocCount) };
    }),
    sizeClasses: delta.smallAllocCountCount,
    allp: BigInt(allp),
    pCache: BigInt(p.fields.mcache),
    cacheAlloc: BigInt(mcache.fields.alloc),
    cacheTiny: BigInt(mcache.fields.tinyAllocs),
    spanClasses: mcache.allocCount,
    emptySpan: BigInt(empty),
    spanAllocCount: BigInt(mspan.fields.allocCount),
    spanBeforeCache: BigInt(mspan.fields.allocCountBeforeCache),
  };
}

export class RuntimeMallocCounter {
  private constructor(readonly layout: Layout) {}

  /** From the binary's own description where it has all of it, else from Delve. */
  static async locate(proxy: DapProxy, binary?: ProfileLayout): Promise<RuntimeMallocCounter | undefined> {
    const fromBinary = binary && layoutFromBinary(binary);
    return fromBinary ? new RuntimeMallocCounter(fromBinary) : RuntimeMallocCounter.askDelve(proxy);
  }

  /** Learns where the counts are from Delve; undefined when this runtime does not keep them so. */
  static async askDelve(proxy: DapProxy): Promise<RuntimeMallocCounter | undefined> {
    const sampler = new StackSampler(proxy);
    const address = async (expression: string) => {
      const value = await sampler.integer(`uintptr(${expression})`);
      return value === undefined ? undefined : BigInt(value);
    };
    const [generations, sizeClasses, spanClasses, allp, p0, p0Cache, cache0, cache0Alloc, cache0Tiny, empty, allocCount, beforeCache] = await Promise.all([
      sampler.integer('len(runtime.memstats.heapStats.stats)'),
      sampler.integer('len(runtime.memstats.heapStats.stats[0].smallAllocCount)'),
      sampler.integer('len(runtime.allp[0].mcache.alloc)'),
      address('&runtime.allp'),
      address('runtime.allp[0]'),
      address('&runtime.allp[0].mcache'),
      address('runtime.allp[0].mcache'),
      address('&runtime.allp[0].mcache.alloc'),
      address('&runtime.allp[0].mcache.tinyAllocs'),
      address('&runtime.emptymspan'),
      address('&runtime.emptymspan.allocCount'),
      address('&runtime.emptymspan.allocCountBeforeCache'),
    ]);
    const learned = [generations, sizeClasses, spanClasses, allp, p0, p0Cache, cache0, cache0Alloc, cache0Tiny, empty, allocCount, beforeCache];
    if (learned.some((v) => v === undefined) || !cache0) return undefined;
    const stats = await Promise.all(Array.from({ length: generations! }, async (_, g) => {
      const at = `runtime.memstats.heapStats.stats[${g}]`;
      const [large, tiny, small] = await Promise.all([address(`&${at}.largeAllocCount`), address(`&${at}.tinyAllocCount`), address(`&${at}.smallAllocCount`)]);
      return large === undefined || tiny === undefined || small === undefined ? undefined : { large, tiny, small };
    }));
    if (stats.some((s) => s === undefined)) return undefined;
    return new RuntimeMallocCounter({
      generations: stats as Layout['generations'],
      sizeClasses: sizeClasses!,
      allp: allp!,
      pCache: p0Cache! - p0!,
      cacheAlloc: cache0Alloc! - cache0!,
      cacheTiny: cache0Tiny! - cache0!,
      spanClasses: spanClasses!,
      emptySpan: empty!,
      spanAllocCount: allocCount! - empty!,
      spanBeforeCache: beforeCache! - empty!,
    });
  }

  /** The count now, from the program's memory alone. */
  async count(memory: WordMemory): Promise<number> {
    const l = this.layout;
    let total = 0n;
    for (const g of l.generations) {
      total += (await memory.words(g.large, 1))[0] + (await memory.words(g.tiny, 1))[0] + sum(await memory.words(g.small, l.sizeClasses));
    }
    const [data, length] = await memory.words(l.allp, 2);
    for (const p of length > 0n ? await memory.words(data, Number(length)) : []) {
      if (p === 0n) continue;
      const [cache] = await memory.words(p + l.pCache, 1);
      // A P that has not run yet has no cache.
      if (cache === 0n) continue;
      total += (await memory.words(cache + l.cacheTiny, 1))[0];
      for (const span of await memory.words(cache + l.cacheAlloc, l.spanClasses)) {
        if (span === l.emptySpan || span === 0n) continue;
        total += BigInt((await uint16At(memory, span + l.spanAllocCount)) - (await uint16At(memory, span + l.spanBeforeCache)));
      }
    }
    return Number(total);
  }
}
