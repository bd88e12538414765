/**
 * The two kinds of allocation the runtime's profile cannot charge to a line, and where in the
 * binary to catch them instead (found in the disassembly of the runtime functions concerned, which
 * the symbolizer makes with Go's own x86 decoder, so that inlined copies and every Go version's
 * code layout are covered without guessing addresses):
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

export interface Instruction {
  /** The source file and line the instruction belongs to (innermost inlined position). */
  file: string;
  line: number;
  address: bigint;
  length: number;
  text: string;
}

/** A function's calls and the first instruction of each of its source lines (enough for the sites). */
export interface DisassembledFunction {
  name: string;
  instructions: Instruction[];
}

/** Runtime functions that allocate on the system stack on a goroutine's behalf (or may inline into one that does). */
export const SYSTEM_STACK_ALLOCATORS = [
  'newproc1', 'malg', 'allgadd', 'saveAncestors',
  'allocm', 'mcommoninit', 'mpreinit', 'mProfStackInit', 'makeProfStack', 'makeProfStackFP', 'newMWeakPointer',
  'procresize',
];

/**
 * The functions to disassemble: the system-stack allocators, and the allocator functions that can
 * hold the tiny allocator's merge path (mallocgc up to Go 1.23, mallocgcTiny from Go 1.24, the
 * size-specialized tiny functions of Go 1.26's experiment and Go 1.27).
 */
export const SITE_FUNCTIONS = `^runtime\\.(mallocgc|mallocgcTiny\\w*|mallocTiny\\w*|${SYSTEM_STACK_ALLOCATORS.join('|')})$`;

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
      if (TINY_MERGE.test(sourceLine(ins.file, ins.line) ?? '')) out.push(ins.address);
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

/** Finds the sites in the functions the symbolizer disassembled. */
export function findRuntimeSites(functions: DisassembledFunction[]): RuntimeSites {
  return { tinyMerges: tinyMergeAddresses(functions, sourceReader()), systemStackReturns: systemStackCallReturns(functions) };
}
