/**
 * The two kinds of allocation the runtime's profile cannot charge to a line, and where in the
 * binary to catch them instead (found with Go's own disassembler, `go tool objdump`, so that
 * inlined copies and every Go version's code layout are covered without guessing addresses):
 *
 * - A tiny allocation (no pointers, under 16 bytes) that fits in the current 16-byte block returns
 *   before the profiling hook; MemStats still counts it (`c.tinyAllocs++`). The first instruction of
 *   that statement, in every allocator function that has it, takes a hidden breakpoint.
 * - An allocation made on the system stack (creating a goroutine or a thread) is recorded with the
 *   system stack only, which ends at `runtime.systemstack`: the goroutine it was made for, and so
 *   the line, is not in the record. The return address of every allocator call in the runtime
 *   functions that allocate there takes a hidden breakpoint; Delve's stack at that stop crosses
 *   into the goroutine.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { run } from '../processes';

export interface Instruction {
  /** Base name of the source file, as objdump prints it (`malloc.go`). */
  file: string;
  line: number;
  address: bigint;
  length: number;
  text: string;
}

export interface DisassembledFunction {
  name: string;
  /** The function's own source file (absolute). */
  file: string;
  instructions: Instruction[];
}

const TEXT = /^TEXT (\S+)\(SB\) (.+)$/;
const INSTRUCTION = /^\s+(\S+):(\d+)\s+0x([0-9a-f]+)\s+([0-9a-f]+)\s+(.*?)\s*$/;

export function parseObjdump(output: string): DisassembledFunction[] {
  const functions: DisassembledFunction[] = [];
  let current: DisassembledFunction | undefined;
  for (const line of output.split('\n')) {
    const text = TEXT.exec(line);
    if (text) {
      current = { name: text[1], file: text[2].trim(), instructions: [] };
      functions.push(current);
      continue;
    }
    const ins = INSTRUCTION.exec(line);
    if (ins && current) {
      current.instructions.push({ file: ins[1], line: Number(ins[2]), address: BigInt(`0x${ins[3]}`), length: ins[4].length / 2, text: ins[5] });
    }
  }
  return functions;
}

/** Runtime functions that allocate on the system stack on a goroutine's behalf (or may inline into one that does). */
export const SYSTEM_STACK_ALLOCATORS = [
  'newproc1', 'malg', 'allgadd', 'saveAncestors',
  'allocm', 'mcommoninit', 'mpreinit', 'mProfStackInit', 'makeProfStack', 'makeProfStackFP', 'newMWeakPointer',
  'procresize',
];

/** Calls that allocate a heap object (or, for growslice, one when they are reached). */
const ALLOCATING_CALL = /^CALL runtime\.(newobject|newarray|makeslice|makeslicecopy|growslice|mallocgc\w*|makemap\w*|makechan|rawstring\w*|rawbyteslice|rawruneslice)\(SB\)/;

const TINY_MERGE = /^\s*c\.tinyAllocs\+\+/;

/** Return addresses of the allocating calls in the system-stack allocators. */
export function systemStackCallReturns(functions: DisassembledFunction[]): bigint[] {
  const wanted = new Set(SYSTEM_STACK_ALLOCATORS.map((n) => `runtime.${n}`));
  const out: bigint[] = [];
  for (const fn of functions) {
    if (!wanted.has(fn.name)) continue;
    for (const ins of fn.instructions) if (ALLOCATING_CALL.test(ins.text)) out.push(ins.address + BigInt(ins.length));
  }
  return out;
}

/**
 * The first instruction of `c.tinyAllocs++` (the tiny allocator's merge path) in each allocator
 * function that has it (the optimizer may spread a statement's instructions, so only the first
 * one of a function is taken). `sourceLine` reads a line of the runtime's sources.
 */
export function tinyMergeAddresses(functions: DisassembledFunction[], sourceLine: (file: string, line: number) => string | undefined): bigint[] {
  const out: bigint[] = [];
  for (const fn of functions) {
    const seen = new Set<string>();
    for (const ins of fn.instructions) {
      const key = `${ins.file}:${ins.line}`;
      if (seen.has(key)) continue;
      seen.add(key);
      if (TINY_MERGE.test(sourceLine(path.join(path.dirname(fn.file), ins.file), ins.line) ?? '')) out.push(ins.address);
    }
  }
  return out;
}

export interface RuntimeSites {
  tinyMerges: bigint[];
  systemStackReturns: bigint[];
}

function sourceReader(): (file: string, line: number) => string | undefined {
  const files = new Map<string, string[] | undefined>();
  return (file, line) => {
    if (!files.has(file)) {
      try {
        files.set(file, readFileSync(file, 'utf8').split('\n'));
      } catch {
        files.set(file, undefined);
      }
    }
    return files.get(file)?.[line - 1];
  };
}

export async function findRuntimeSites(binary: string, env: NodeJS.ProcessEnv): Promise<RuntimeSites> {
  const pattern = `^runtime\\.(malloc\\w*|${SYSTEM_STACK_ALLOCATORS.join('|')})$`;
  const r = await run('go', ['tool', 'objdump', '-s', pattern, binary], { env, timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`go tool objdump failed: ${r.stderr.trim().split('\n').pop() ?? r.code}`);
  const functions = parseObjdump(r.stdout);
  return { tinyMerges: tinyMergeAddresses(functions, sourceReader()), systemStackReturns: systemStackCallReturns(functions) };
}
