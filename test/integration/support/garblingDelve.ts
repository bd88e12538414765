/**
 * Fault injection on Delve's side of the wire: stands in for `dlv` (through MALLOCLENS_DLV), runs
 * the real Delve ($GARBLE_REAL_DLV) with every argument, and relays its DAP connection unchanged
 * until Delve sends `initialized`; then it writes the bytes $GARBLE_MODE names into the stream, as a
 * broken Delve would, and goes on relaying. Anything but `dap --client-addr=unix:…` runs Delve as is.
 */
import { spawn } from 'node:child_process';
import * as net from 'node:net';

const GARBAGE: Record<string, string> = {
  /** A frame whose body is not JSON: the stream stays readable. */
  json: 'Content-Length: 9\r\n\r\n{not json',
  /** A header that cannot be read: nothing after it can be. */
  length: 'Content-Length: twelve\r\n\r\n{}',
};

const real = process.env.GARBLE_REAL_DLV ?? 'dlv';
const garbage = GARBAGE[process.env.GARBLE_MODE ?? ''];
const args = process.argv.slice(2);
const clientAddr = args.find((a) => a.startsWith('--client-addr=unix:'));

function runAsIs(): void {
  const child = spawn(real, args, { stdio: 'inherit' });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

function relay(): void {
  const malloclensSocket = clientAddr!.slice('--client-addr=unix:'.length);
  const ownSocket = `${malloclensSocket}.real`;
  const listener = net.createServer((fromDelve) => {
    listener.close();
    const toMalloclens = net.connect(malloclensSocket);
    toMalloclens.pipe(fromDelve);
    let seen = '';
    let injected = false;
    fromDelve.on('data', (chunk: Buffer) => {
      toMalloclens.write(chunk);
      if (injected) return;
      seen = (seen + chunk.toString('latin1')).slice(-4096);
      if (/"event":"initialized"/.test(seen)) {
        injected = true;
        toMalloclens.write(garbage);
      }
    });
    fromDelve.on('close', () => toMalloclens.end());
    toMalloclens.on('close', () => fromDelve.destroy());
    toMalloclens.on('error', () => fromDelve.destroy());
    fromDelve.on('error', () => toMalloclens.destroy());
  });
  listener.listen(ownSocket, () => {
    const child = spawn(real, args.map((a) => (a === clientAddr ? `--client-addr=unix:${ownSocket}` : a)), { stdio: 'inherit' });
    child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
    for (const s of ['SIGTERM', 'SIGINT'] as const) process.on(s, () => child.kill(s));
  });
}

if (args[0] === 'dap' && clientAddr && garbage) relay();
else runAsIs();
