/**
 * Which executable the debugged process runs: fast mode reads its symbols and code. The CLI knows
 * (it built it); a DAP session learns it from the configuration (`malloclens: { binary }`), from
 * the process on this machine (Delve's `process` event, or the program's own PID checked by
 * localProcess.ts; /proc/<pid>/exe stays readable even when Delve deletes its build afterwards),
 * or from an `exec` launch's `program`.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export interface BinaryClues {
  explicit?: string;
  /** The process, when it is on this machine. */
  processId?: number;
  launch?: Record<string, unknown>;
  /** Delve runs elsewhere: a path it was given names a file of that machine. */
  remote?: boolean;
}

function procExe(pid: number | undefined): string | undefined {
  if (!pid) return undefined;
  const exe = `/proc/${pid}/exe`;
  return existsSync(exe) ? exe : undefined;
}

export function programBinary(clues: BinaryClues): string {
  if (clues.explicit) {
    if (!existsSync(clues.explicit)) throw new Error(`the executable given as malloclens.binary (${clues.explicit}) does not exist`);
    return clues.explicit;
  }
  const fromProcess = procExe(clues.processId);
  if (fromProcess) return fromProcess;
  const launch = clues.launch ?? {};
  if (!clues.remote && launch.mode === 'exec' && typeof launch.program === 'string') {
    const base = String(launch.cwd ?? launch.dlvCwd ?? process.cwd());
    const program = path.resolve(base, launch.program);
    if (existsSync(program)) return program;
  }
  if (clues.remote) {
    throw new Error('the program runs on another machine (or in another PID namespace) and its executable is not here; give a copy of the same executable as `malloclens: { binary: "/path/on/this/machine" }`, or count with the breakpoint engine (`malloclens: { engine: "breakpoints" }`), which needs none');
  }
  throw new Error('cannot tell which executable the program runs (fast mode reads its symbols)');
}
