/**
 * The exit status of a process that died while the debugger held it stopped. Delve then reports a
 * "no such process" error instead of the exit, because the kernel refuses to resume a dead thread;
 * until Delve reaps it, the dead process is a zombie whose status /proc still shows (field 52 of
 * /proc/PID/stat, "exit_code", in waitpid's encoding).
 */
import { readFileSync } from 'node:fs';

/** Delve's convention: the exit code, or minus the signal that killed the process. */
export function zombieExitCode(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // Fields after the command name, which is in parentheses and may contain spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  const status = Number(fields[52 - 3]);
  if (state !== 'Z' || !Number.isFinite(status)) return undefined;
  const signal = status & 0x7f;
  return signal === 0 ? (status >> 8) & 0xff : -signal;
}
