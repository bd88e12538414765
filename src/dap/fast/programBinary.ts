/**
 * Which executable the debugged process runs: fast mode reads its symbols and code. The CLI knows
 * (it built it); a DAP session learns it from Delve's `process` event (Delve ≥ 1.25), from an
 * `exec` launch's `program`, or from the process itself (`runtime.m0.procid` is the process ID on
 * Linux, and /proc/<pid>/exe stays readable even when Delve deletes its build afterwards).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { DapProxy } from '../proxy';
import { StackSampler } from '../stackSampler';

export interface BinaryClues {
  explicit?: string;
  processId?: number;
  launch?: Record<string, unknown>;
}

function procExe(pid: number | undefined): string | undefined {
  if (!pid) return undefined;
  const exe = `/proc/${pid}/exe`;
  return existsSync(exe) ? exe : undefined;
}

export async function programBinary(clues: BinaryClues, proxy: DapProxy): Promise<string> {
  if (clues.explicit) return clues.explicit;
  const fromEvent = procExe(clues.processId);
  if (fromEvent) return fromEvent;
  const launch = clues.launch ?? {};
  if (launch.mode === 'exec' && typeof launch.program === 'string') {
    const base = String(launch.cwd ?? launch.dlvCwd ?? process.cwd());
    const program = path.resolve(base, launch.program);
    if (existsSync(program)) return program;
  }
  const fromTarget = procExe(await new StackSampler(proxy).integer('runtime.m0.procid'));
  if (fromTarget) return fromTarget;
  throw new Error('cannot tell which executable the program runs (fast mode reads its symbols)');
}
