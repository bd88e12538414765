/**
 * The runtime's own count of heap allocations so far — what `runtime.MemStats.Mallocs` would say —
 * read from the stopped program, so that a whole run's report can say whether it accounts for
 * every allocation the runtime made. ReadMemStats computes it from the consistent heap stats
 * (`memstats.heapStats`, every generation: large, per-size-class and tiny allocation counts) after
 * flushing each P's cache; without flushing, each cached span's slots used since it was cached
 * (`allocCount - allocCountBeforeCache`) and each cache's `tinyAllocs` are added here instead.
 * Field addresses come from Delve (`uintptr(&…)`), the values from the program's memory.
 */
import type { DapProxy } from '../proxy';
import { StackSampler } from '../stackSampler';
import { WORD } from './profileLayout';
import type { WordMemory } from './targetMemory';

/** A 16-bit field read through the aligned word that holds it (little-endian). */
async function uint16At(memory: WordMemory, address: bigint): Promise<number> {
  const base = address - (address % BigInt(WORD));
  const [word] = await memory.words(base, 1);
  return Number((word >> (8n * (address - base))) & 0xffffn);
}

const sum = (values: bigint[]) => values.reduce((a, b) => a + b, 0n);

export async function runtimeMallocs(proxy: DapProxy, memory: WordMemory): Promise<number | undefined> {
  const sampler = new StackSampler(proxy);
  const address = async (expression: string) => {
    const value = await sampler.integer(`uintptr(${expression})`);
    return value === undefined ? undefined : BigInt(value);
  };
  const integer = (expression: string) => sampler.integer(expression);

  const generations = await integer('len(runtime.memstats.heapStats.stats)');
  const sizeClasses = await integer('len(runtime.memstats.heapStats.stats[0].smallAllocCount)');
  const ps = await integer('len(runtime.allp)');
  const spanClasses = await integer('len(runtime.allp[0].mcache.alloc)');
  const empty = await address('&runtime.emptymspan');
  const allocCount = await address('&runtime.emptymspan.allocCount');
  const beforeCache = await address('&runtime.emptymspan.allocCountBeforeCache');
  if ([generations, sizeClasses, ps, spanClasses, empty, allocCount, beforeCache].some((v) => v === undefined)) return undefined;

  let total = 0n;
  for (let g = 0; g < generations!; g++) {
    const stats = `runtime.memstats.heapStats.stats[${g}]`;
    const [large, tiny, small] = await Promise.all([address(`&${stats}.largeAllocCount`), address(`&${stats}.tinyAllocCount`), address(`&${stats}.smallAllocCount`)]);
    if (large === undefined || tiny === undefined || small === undefined) return undefined;
    total += (await memory.words(large, 1))[0] + (await memory.words(tiny, 1))[0] + sum(await memory.words(small, sizeClasses!));
  }
  for (let p = 0; p < ps!; p++) {
    const [cache, alloc, tinyAllocs] = await Promise.all([
      address(`runtime.allp[${p}].mcache`), address(`&runtime.allp[${p}].mcache.alloc`), address(`&runtime.allp[${p}].mcache.tinyAllocs`),
    ]);
    // A P that has not run yet has no cache.
    if (!cache || alloc === undefined || tinyAllocs === undefined) continue;
    total += (await memory.words(tinyAllocs, 1))[0];
    for (const span of await memory.words(alloc, spanClasses!)) {
      if (span === empty! || span === 0n) continue;
      const used = (await uint16At(memory, span + allocCount! - empty!)) - (await uint16At(memory, span + beforeCache! - empty!));
      total += BigInt(used);
    }
  }
  return Number(total);
}
