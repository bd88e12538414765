/**
 * Whether a debuggee lives, and how it ended, read from /proc: for the ends Delve does not report
 * (a program killed while the proxy held it stopped, where Delve says "no such process" because
 * the kernel refuses to resume a dead thread; one killed while Delve waits in its continue loop).
 * Until Delve reaps it, the dead process is a zombie whose status /proc still shows (field 52 of
 * /proc/PID/stat, "exit_code", in waitpid's encoding).
 */
import { existsSync, readFileSync } from 'node:fs';

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

/** Delve's stop for a program that died while it was held stopped ("no such process"). */
export function isDeadProgramStop(body: { reason: string; text?: string }): boolean {
  return body.reason === 'exception' && /no such process/.test(body.text ?? '');
}

/** The exit status to report for a debuggee that ended unreported (undefined: not known). */
export function unreportedExitCode(pid: number | undefined): number | undefined {
  const state = pid === undefined ? undefined : processState(pid);
  return state && !state.alive ? state.exitCode : undefined;
}

/** Alive, or dead with its exit status (Delve's convention: minus the signal; undefined once reaped). */
export type ProcessState = { alive: true } | { alive: false; exitCode?: number };

export function processState(pid: number): ProcessState {
  const exitCode = zombieExitCode(pid);
  if (exitCode !== undefined) return { alive: false, exitCode };
  return existsSync(`/proc/${pid}`) ? { alive: true } : { alive: false };
}
