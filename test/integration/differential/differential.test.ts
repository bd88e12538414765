/**
 * Invisibility: the same scripted DAP sessions against plain `dlv dap` and through `malloclens dap`
 * with counting on give the same transcripts (normalised only for what differs between any two
 * runs), and malloclens counted.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { MallocReport } from '../../../src/core/report';
import { parseVersion } from '../../../src/core/versions';
import { locateDelve } from '../../../src/dap/delveLocator';
import { buildProgram } from '../../../src/dap/goToolchain';
import { run } from '../../../src/dap/processes';
import { GO_127, GO_INSTALLED, markedEnv, waitForNoLeftovers } from '../helpers';
import { AdapterKind, startAdapter } from './adapters';
import { normalize } from './normalize';
import { RecordingClient, TranscriptEntry } from './recordingClient';
import { Script, SCRIPTS } from './scripts';
import { DEBUGGEE, ScriptSession } from './session';

interface Outcome {
  events: TranscriptEntry[];
  responses: TranscriptEntry[];
  tally?: MallocReport;
  tallyEvents: number;
}

/** Both generations Delve 1.27 debugs here. */
const generations = [GO_INSTALLED, GO_127];

async function runScript(kind: AdapterKind, script: Script, dlvPath: string, env: NodeJS.ProcessEnv, work: string): Promise<Outcome> {
  let target: ReturnType<typeof spawn> | undefined;
  if (script.attach) {
    const built = await buildProgram({ target: DEBUGGEE, test: false, optimized: false, output: path.join(work, 'attach-target'), env: { ...process.env, ...env } });
    target = spawn(built.binary, ['wait'], { env: markedEnv({ ...env, GOMAXPROCS: '1' }), stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 300));
  }
  const adapter = await startAdapter(kind, dlvPath, DEBUGGEE, env);
  const client = new RecordingClient();
  const outcome: Outcome = { events: client.events, responses: client.responses, tallyEvents: 0 };
  try {
    await client.start(adapter.port);
    const session = new ScriptSession(client, path.join(work, 'debuggee'));
    if (kind === 'malloclens') {
      session.beforeDisconnect = async () => {
        outcome.tally = (await client.quiet('malloclens/tally')).body as MallocReport;
      };
    }
    await script.run(session, target?.pid);
    outcome.tallyEvents = client.tallyEvents.length;
    return outcome;
  } finally {
    // Delve says `terminated` after its disconnect response, then closes: wait for that, so the
    // transcript does not depend on how fast it does.
    const socket = (client as unknown as { _socket?: import('node:net').Socket })._socket;
    if (socket && !socket.destroyed) await Promise.race([new Promise((r) => socket.once('close', r)), new Promise((r) => setTimeout(r, 3000))]);
    socket?.destroy();
    await adapter.stop();
    target?.kill('SIGKILL');
  }
}

for (const generation of generations) {
  describe(`differential: dlv dap vs malloclens dap (${generation.name})`, function () {
    this.timeout(180_000);
    let dlvPath: string;
    let work: string;

    before(async () => {
      const go = await run('go', ['env', 'GOVERSION'], { env: { ...process.env, ...generation.env } });
      dlvPath = (await locateDelve({ go: parseVersion(go.stdout)!, install: true, env: { ...process.env, ...generation.env } })).path;
      work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-diff-'));
    });

    after(() => rmSync(work, { recursive: true, force: true }));

    for (const script of SCRIPTS) {
      it(script.name, async () => {
        const plain = await runScript('delve', script, dlvPath, generation.env, work);
        const counted = await runScript('malloclens', script, dlvPath, generation.env, work);
        assert.deepEqual(normalize(counted.events), normalize(plain.events), 'events');
        assert.deepEqual(normalize(counted.responses), normalize(plain.responses), 'responses');
        assert.ok(counted.tally, 'malloclens answered malloclens/tally');
        assert.ok(counted.tally.total.count > 0, 'malloclens counted allocations');
        assert.deepEqual(await waitForNoLeftovers(), []);
      });
    }
  });
}
