/**
 * Runs one differential script by hand (not a test): `node out/test/integration/differential/runOne.js
 * <script-name-substring> [delve|breakpoint|fast]`, printing the normalised transcript and the
 * adapter's own output (MALLOCLENS_DEBUG=1). GOTOOLCHAIN / PATH select the Go generation as usual.
 */
import { mkdtempSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GO_119, GO_127, GO_INSTALLED } from '../helpers';
import type { Engine } from './adapters';
import { delveFor, runSession } from './harness';
import { normalize } from './normalize';
import { SCRIPTS } from './scripts';

async function main(): Promise<void> {
  const [filter, engine = 'breakpoint'] = process.argv.slice(2);
  const script = SCRIPTS.find((s) => s.name.includes(filter ?? ''));
  if (!script) throw new Error(`no script matches ${filter}`);
  // MALLOCLENS_RUNONE_GO=1.27 or 1.19 picks the generation (the installed Go unless told).
  const generation = { '1.27': GO_127, '1.19': GO_119 }[process.env.MALLOCLENS_RUNONE_GO ?? ''] ?? GO_INSTALLED;
  const dlv = await delveFor(generation);
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-runone-'));
  const outcome = await runSession(engine as Engine, { program: script.program, attach: script.attach, attachArgs: script.programArgs, body: (s, pid) => script.run(s, pid) }, dlv, { ...generation.env, MALLOCLENS_DEBUG: '1' }, work);
  console.log(JSON.stringify({ events: normalize(outcome.events), responses: normalize(outcome.responses), error: outcome.error, tally: outcome.tally?.total, warnings: outcome.tally?.warnings, ms: outcome.ms }, null, 1));
  console.log(outcome.output);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
