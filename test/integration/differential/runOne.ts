/**
 * Runs one differential script by hand (not a test): `node out/test/integration/differential/runOne.js
 * <script-name-substring> [delve|malloclens]`, printing the transcript and malloclens's own log.
 */
import { parseVersion } from '../../../src/core/versions';
import { locateDelve } from '../../../src/dap/delveLocator';
import { run } from '../../../src/dap/processes';
import { startAdapter, AdapterKind } from './adapters';
import { normalize } from './normalize';
import { RecordingClient } from './recordingClient';
import { SCRIPTS } from './scripts';
import { DEBUGGEE, ScriptSession } from './session';

async function main(): Promise<void> {
  const [filter, kind = 'malloclens'] = process.argv.slice(2);
  const script = SCRIPTS.find((s) => s.name.includes(filter ?? ''));
  if (!script) throw new Error(`no script matches ${filter}`);
  const go = await run('go', ['env', 'GOVERSION']);
  const dlv = await locateDelve({ go: parseVersion(go.stdout)!, install: false });
  const adapter = await startAdapter(kind as AdapterKind, dlv.path, DEBUGGEE, { MALLOCLENS_DEBUG: '1' });
  const client = new RecordingClient();
  await client.start(adapter.port);
  const timer = setTimeout(() => {
    console.log(JSON.stringify(normalize(client.events), null, 1));
    console.log(adapter.programOutput());
    process.exit(1);
  }, 90_000);
  try {
    await script.run(new ScriptSession(client, '/tmp/malloclens-runone-debuggee'));
  } catch (e) {
    console.log(adapter.programOutput());
    throw e;
  }
  clearTimeout(timer);
  console.log(JSON.stringify({ events: normalize(client.events), responses: normalize(client.responses) }, null, 1));
  console.log(adapter.programOutput());
  await adapter.stop();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
