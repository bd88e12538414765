/**
 * Reads words of the stopped program's memory through Delve's DAP server, which has no raw memory
 * request for arbitrary addresses. Two routes, both through `evaluate`:
 * - `dlv examinemem` (Delve ≥ 1.26.2): up to 1000 bytes per request as compact hex text;
 * - a cast `*(*[n]uintptr)(addr)`, which returns the first 64 values inline, and a `variables`
 *   request on the result that pages through the rest (any Delve, 1.20 included).
 * The first is tried once and kept when it answers.
 *
 * `RangeCache` keeps what one stop's reading has read.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapProxy } from '../proxy';
import { WORD } from './profileLayout';

export type WordSource = (address: bigint, count: number) => Promise<bigint[]>;

/**
 * The program's memory for one reading. `readAhead` words from `address` on, and `readBehind`
 * below it, may be read along when that saves a request later.
 */
export interface WordMemory {
  words(address: bigint, count: number, readAhead?: number, readBehind?: number): Promise<bigint[]>;
  /**
   * The same, at once, where the memory is this machine's (/proc/PID/mem): a profile of tens of
   * thousands of buckets is walked without an await per bucket.
   */
  wordsNow?(address: bigint, count: number): bigint[];
  /** Words that are addresses or small counts, as numbers (exact below 2^53), at once. */
  numbersNow?(address: bigint, count: number): number[];
}

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

/** `0x5634c0:   0x0000000000000000   0x00007f86fb4ac000 …` lines → the values after each colon. */
export function parseExamined(text: string): bigint[] | undefined {
  if (!/^0x[0-9a-f]+:/.test(text.trim())) return undefined;
  const values: bigint[] = [];
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    for (const word of line.slice(colon + 1).match(/0x[0-9a-f]+/g) ?? []) values.push(BigInt(word));
  }
  return values;
}

/** What `dlv examinemem` reads per request (Delve's limit is 1000 bytes). */
const EXAMINE_WORDS = 125;

type Attempt = bigint[] | 'unsupported';

async function examine(proxy: DapProxy, address: bigint, count: number): Promise<Attempt> {
  const expression = `dlv x -fmt hex -count ${count} -size 8 ${hex(address)}`;
  const response = await proxy.request('evaluate', { expression, context: 'repl' });
  const result = response.success ? (response.body as P.EvaluateResponse['body']).result : '';
  const values = parseExamined(result);
  if (values?.length === count) return values;
  if (/examine memory error/.test(result)) throw new MemoryReadError(`cannot read ${count} words at ${hex(address)}: ${result.trim()}`);
  return 'unsupported';
}

async function examineWords(proxy: DapProxy, address: bigint, count: number): Promise<Attempt> {
  const chunks: Promise<Attempt>[] = [];
  for (let done = 0; done < count; done += EXAMINE_WORDS) {
    chunks.push(examine(proxy, address + BigInt(done * WORD), Math.min(EXAMINE_WORDS, count - done)));
  }
  const parts = await Promise.all(chunks);
  return parts.some((p) => p === 'unsupported') ? 'unsupported' : (parts as bigint[][]).flat();
}

async function castWords(proxy: DapProxy, address: bigint, count: number): Promise<bigint[]> {
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
}

export function delveWords(proxy: DapProxy): WordSource {
  let examineWorks: boolean | undefined;
  return async (address, count) => {
    if (examineWorks !== false) {
      const words = await examineWords(proxy, address, count);
      if (words !== 'unsupported') {
        examineWorks = true;
        return words;
      }
      examineWorks = false;
    }
    return castWords(proxy, address, count);
  };
}

/**
 * Reads for the life of one stop (the program changes memory when it runs), remembering what was
 * read so that overlapping requests cost nothing. A read may ask for more words than it needs:
 * one request for a profile bucket's header, stack and record together, and the older buckets the
 * runtime placed just below it. When the longer read fails (it can run past mapped memory), the
 * exact one is tried.
 */
export class RangeCache implements WordMemory {
  private readonly ranges: { start: bigint; words: bigint[] }[] = [];

  constructor(private readonly source: WordSource) {}

  private cached(address: bigint, count: number): bigint[] | undefined {
    for (const range of this.ranges) {
      const skip = (address - range.start) / BigInt(WORD);
      if (address >= range.start && (address - range.start) % BigInt(WORD) === 0n && Number(skip) + count <= range.words.length) {
        return range.words.slice(Number(skip), Number(skip) + count);
      }
    }
    return undefined;
  }

  /**
   * `readAhead` words from `address` on, and `readBehind` words below it, are read along when the
   * words are not at hand yet.
   */
  async words(address: bigint, count: number, readAhead = count, readBehind = 0): Promise<bigint[]> {
    if (count === 0) return [];
    if (address % BigInt(WORD) !== 0n) throw new MemoryReadError(`unaligned address ${hex(address)}`);
    const hit = this.cached(address, count);
    if (hit) return hit;
    const ahead = Math.max(count, readAhead);
    const start = address - BigInt(readBehind * WORD);
    let range: { start: bigint; words: bigint[] };
    try {
      range = { start, words: await this.source(start, readBehind + ahead) };
    } catch (e) {
      if (ahead === count && readBehind === 0) throw e;
      range = { start: address, words: await this.source(address, count) };
    }
    this.ranges.push(range);
    return this.cached(address, count)!;
  }
}
