/**
 * Reads words of the stopped program's memory through Delve's DAP server, which has no raw memory
 * request for arbitrary addresses on every version: `evaluate` of a cast `*(*[n]uintptr)(addr)`
 * returns the first 64 values inline, and a `variables` request on the result pages through the
 * rest (one round trip for thousands of words, on Delve 1.20 as on 1.27).
 *
 * `PageCache` reads whole 4 KiB pages, so that neighbouring profile buckets (the runtime allocates
 * them one after another) cost one read, and never crosses into a page nobody mapped.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapProxy } from '../proxy';
import { WORD } from './profileLayout';

export type WordSource = (address: bigint, count: number) => Promise<bigint[]>;

/** What Delve renders inline for an array value. */
const INLINE_VALUES = 64;

export function hex(address: bigint): string {
  return `0x${address.toString(16)}`;
}

/** `[6]uintptr [0,140561382412952,1]` → the numbers; undefined when Delve did not load them all. */
export function parseInlineArray(result: string, count: number): bigint[] | undefined {
  const m = /\[([\d,]*)\]$/.exec(result.trim());
  if (!m || result.startsWith('(loaded')) return undefined;
  const values = m[1] === '' ? [] : m[1].split(',').map((v) => BigInt(v));
  return values.length === count ? values : undefined;
}

/** A `variables` child of a uintptr array: `"123 = 0x7b"` (Delve 1.20 and 1.27 alike). */
export function parseElement(value: string): bigint {
  const m = /^\d+/.exec(value.trim());
  if (!m) throw new Error(`unexpected array element ${JSON.stringify(value)}`);
  return BigInt(m[0]);
}

export class MemoryReadError extends Error {}

export function delveWords(proxy: DapProxy): WordSource {
  return async (address, count) => {
    const expression = `*(*[${count}]uintptr)(${hex(address)})`;
    const response = await proxy.request('evaluate', { expression, context: 'repl' });
    if (!response.success) throw new MemoryReadError(`cannot read ${count} words at ${hex(address)}: ${response.message ?? 'failed'}`);
    const body = response.body as P.EvaluateResponse['body'];
    const inline = count <= INLINE_VALUES ? parseInlineArray(body.result, count) : undefined;
    if (inline) return inline;
    const children = await proxy.request('variables', { variablesReference: body.variablesReference, filter: 'indexed', start: 0, count });
    const variables = (children.body as P.VariablesResponse['body'] | undefined)?.variables ?? [];
    if (!children.success || variables.length !== count) {
      throw new MemoryReadError(`cannot read ${count} words at ${hex(address)}: ${children.message ?? `${variables.length} values`}`);
    }
    return variables.map((v) => parseElement(v.value));
  };
}

const PAGE_WORDS = 512;
const PAGE_BYTES = BigInt(PAGE_WORDS * WORD);

/** Page-granular reads for the life of one stop (the program changes memory when it runs). */
export class PageCache {
  private readonly pages = new Map<bigint, Promise<bigint[]>>();

  constructor(private readonly source: WordSource) {}

  private page(base: bigint): Promise<bigint[]> {
    let page = this.pages.get(base);
    if (!page) {
      page = this.source(base, PAGE_WORDS);
      this.pages.set(base, page);
      // A failed read is not remembered: the caller may retry, or read elsewhere.
      page.catch(() => this.pages.delete(base));
    }
    return page;
  }

  async words(address: bigint, count: number): Promise<bigint[]> {
    if (count === 0) return [];
    if (address % BigInt(WORD) !== 0n) throw new MemoryReadError(`unaligned address ${hex(address)}`);
    const end = address + BigInt(count * WORD);
    const first = address - (address % PAGE_BYTES);
    const bases: bigint[] = [];
    for (let base = first; base < end; base += PAGE_BYTES) bases.push(base);
    const pages = await Promise.all(bases.map((b) => this.page(b)));
    const words = pages.flat();
    const skip = Number((address - first) / BigInt(WORD));
    return words.slice(skip, skip + count);
  }
}
