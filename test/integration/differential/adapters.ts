/** Starting the two debug adapters the differential tests compare: plain `dlv dap` and `malloclens dap`. */
import { ChildProcess, spawn } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { CLI, markedEnv } from '../helpers';

export type AdapterKind = 'delve' | 'malloclens';

/**
 * Who answers a session: plain Delve, or malloclens with one of its two counting engines, named
 * by the launch argument `malloclens: { engine }` (fast mode is the default).
 */
export type Engine = 'delve' | 'breakpoint' | 'fast';
export const COUNTING_ENGINES: Engine[] = ['breakpoint', 'fast'];

export function adapterOf(engine: Engine): AdapterKind {
  return engine === 'delve' ? 'delve' : 'malloclens';
}

/** What the engine adds to the client's launch, attach and restart arguments. */
export function engineArgs(engine: Engine): Record<string, unknown> {
  if (engine === 'delve') return {};
  return { malloclens: { engine: engine === 'fast' ? 'fast' : 'breakpoints' } };
}

export interface RunningAdapter {
  kind: AdapterKind;
  port: number;
  process: ChildProcess;
  /** What the adapter process printed after its "listening" line: the debuggee's output. */
  programOutput(): string;
  stop(): Promise<void>;
}

/**
 * Both adapters listen on a loopback port and print Delve's "DAP server listening at" line;
 * malloclens is told to use the very Delve the plain run uses.
 */
export function startAdapter(kind: AdapterKind, dlvPath: string, cwd: string, env: NodeJS.ProcessEnv): Promise<RunningAdapter> {
  const [command, args] = kind === 'delve'
    ? [dlvPath, ['dap', '--listen=127.0.0.1:0']]
    : [process.execPath, [CLI, 'dap', '--listen=127.0.0.1:0']];
  const child = spawn(command, args, { cwd, env: markedEnv({ ...env, MALLOCLENS_DLV: dlvPath }), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let listening = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} did not start listening: ${out}`)), 30_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!listening) reject(new Error(`${kind} exited (${code}) before listening: ${out}`));
    });
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /DAP server listening at: 127\.0\.0\.1:(\d+)\n/.exec(out);
      if (m && !listening) {
        listening = true;
        clearTimeout(timer);
        out = out.slice(out.indexOf(m[0]) + m[0].length);
        resolve({
          kind,
          port: Number(m[1]),
          process: child,
          programOutput: () => out,
          stop: () => stopProcess(child),
        });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      // MALLOCLENS_DIFF_LOG=file (with MALLOCLENS_DEBUG=1): keep the adapter's log when replaying a seed.
      if (process.env.MALLOCLENS_DIFF_LOG) appendFileSync(process.env.MALLOCLENS_DIFF_LOG, d);
    });
  });
}

async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await exited;
  }
}
