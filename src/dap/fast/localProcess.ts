/**
 * Whether the debugged process is one on this machine, and which: fast mode reads its memory from
 * /proc/PID/mem and its executable from /proc/PID/exe when it is. Delve's `process` event names it
 * for a launch; otherwise (an attach, a remote Delve, an older Delve) the program says its own
 * PID (`runtime.m0.procid`, the main thread's ID, which is the PID on Linux) — but a Delve
 * elsewhere (a container, a pod, another host) answers with a PID of its own machine or PID
 * namespace, which may name an unrelated process here. So the candidate is believed only when its
 * memory holds what Delve reads: `runtime.runtimeInitTime`, the monotonic clock when the runtime
 * started (set in runtime.main, before runtime.gcenable), which no other process shares.
 */
import type { DapProxy } from '../proxy';
import { StackSampler } from '../stackSampler';
import { ProcessMemory } from './processMemory';

/** Why the answer is what it is, for the log. */
export interface LocalProcess {
  pid?: number;
  reason: string;
}

export async function localProcess(proxy: DapProxy): Promise<LocalProcess> {
  const sampler = new StackSampler(proxy);
  const pid = await sampler.integer('runtime.m0.procid');
  if (!pid) return { reason: 'the program does not say its process ID (runtime.m0.procid)' };
  // Read as BigInt: a clock in nanoseconds passes 2^53 after 104 days of uptime.
  const exact = async (expression: string) => {
    const m = /^-?\d+/.exec((await sampler.evaluate(expression))?.trim() ?? '');
    return m ? BigInt(m[0]) : 0n;
  };
  const [address, stamp] = await Promise.all([exact('uintptr(&runtime.runtimeInitTime)'), exact('runtime.runtimeInitTime')]);
  if (address === 0n || stamp === 0n) return { reason: 'the runtime has not started (runtime.runtimeInitTime is 0), so process ' + pid + ' cannot be checked' };
  const memory = ProcessMemory.open(pid);
  if (!memory) return { reason: `no process ${pid} whose memory this process may read is on this machine` };
  try {
    const [word] = await memory.reading().words(address, 1);
    if (BigInt.asIntN(64, word) !== stamp) return { reason: `process ${pid} on this machine is another program (its runtime started at another time)` };
    return { pid, reason: `process ${pid} is on this machine` };
  } catch (e) {
    return { reason: `process ${pid} on this machine: ${(e as Error).message}` };
  } finally {
    memory.close();
  }
}
