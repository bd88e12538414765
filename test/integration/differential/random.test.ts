/**
 * Randomised differential sessions (see random.ts): each seed's session runs twice against plain
 * `dlv dap` (the two must be equal, else the seed is reported as a nondeterministic harness, not
 * as a malloclens bug), then through `malloclens dap` with each engine, compared with plain Delve.
 *
 * CI runs the fixed seeds below. Replay one seed (any Go generation, any engine):
 *   MALLOCLENS_SEED=123 npx mocha --no-config --require out/test/setup.js out/test/integration/differential/random.test.js
 * Environment: MALLOCLENS_SEED=1,2,3 (or a range 1-40) the seeds; MALLOCLENS_SEED_GO=1.27 the
 * generation of explicit seeds (1.26 unless told); MALLOCLENS_DIFF_ENGINES=breakpoint,fast the
 * engines; MALLOCLENS_RANDOM_ACTIONS the length of a sequence; MALLOCLENS_DIFF_ALL=1 runs the
 * seeds known to diverge (knownDivergences.ts) too; MALLOCLENS_RANDOM_REPORT=FILE appends one JSON
 * line per divergence (seed, engine, first difference, the actions); MALLOCLENS_RANDOM_LOG=1 prints
 * every seed's actions.
 */
import * as assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { GO_127, GO_INSTALLED, GoGeneration, waitForNoLeftovers } from '../helpers';
import { COUNTING_ENGINES, Engine } from './adapters';
import { delveFor, describeDifference, firstDifference, Outcome, runSession } from './harness';
import { isKnownDivergent, KNOWN_DIVERGENCES, KNOWN_DIVERGENT_SEEDS, RUN_ALL } from './knownDivergences';
import { FIXTURE_MODELS, planFor, RandomPlan, randomSession } from './random';

/** The seeds CI runs, per generation: seeds × (plain twice + 2 engines) sessions. */
const CI_SEEDS: { generation: GoGeneration; seeds: number[] }[] = [
  { generation: GO_INSTALLED, seeds: range(1, 80) },
  { generation: GO_127, seeds: range(101, 125) },
];

const ACTIONS = Number(process.env.MALLOCLENS_RANDOM_ACTIONS ?? 12);
const ENGINES: Engine[] = process.env.MALLOCLENS_DIFF_ENGINES !== undefined ? (process.env.MALLOCLENS_DIFF_ENGINES.split(',').filter(Boolean) as Engine[]) : COUNTING_ENGINES;

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function parseSeeds(text: string): number[] {
  return text.split(',').flatMap((part) => {
    const m = /^(\d+)-(\d+)$/.exec(part.trim());
    return m ? range(Number(m[1]), Number(m[2])) : [Number(part.trim())];
  });
}

function selection(): { generation: GoGeneration; seeds: number[] }[] {
  const explicit = process.env.MALLOCLENS_SEED;
  if (!explicit) return CI_SEEDS;
  const generation = process.env.MALLOCLENS_SEED_GO === '1.27' ? GO_127 : GO_INSTALLED;
  return [{ generation, seeds: parseSeeds(explicit) }];
}

function replayCommand(seed: number, generation: GoGeneration, engine?: Engine): string {
  const go = generation === GO_127 ? ' MALLOCLENS_SEED_GO=1.27' : '';
  const engines = engine ? ` MALLOCLENS_DIFF_ENGINES=${engine}` : '';
  return `MALLOCLENS_SEED=${seed}${go}${engines} MALLOCLENS_DIFF_ALL=1 npx mocha --no-config --require out/test/setup.js out/test/integration/differential/random.test.js`;
}

for (const { generation, seeds } of selection()) {
  describe(`random differential sessions (${generation.name}, ${ACTIONS} actions each)`, function () {
    this.timeout(240_000);
    let dlvPath: string;
    let work: string;

    before(async () => {
      dlvPath = await delveFor(generation);
      work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-random-'));
      FIXTURE_MODELS(); // the fixtures' marked lines are all there
      for (const [seed, tags] of Object.entries(KNOWN_DIVERGENT_SEEDS)) {
        for (const tag of Object.values(tags)) if (!KNOWN_DIVERGENCES[tag!]) throw new Error(`seed ${seed}: unknown divergence tag ${tag}`);
      }
    });

    after(() => work && rmSync(work, { recursive: true, force: true }));

    for (const seed of seeds) {
      const plan: RandomPlan = planFor(seed, ACTIONS);
      const known = KNOWN_DIVERGENT_SEEDS[seed];
      const knownTags = known ? [...new Set(Object.values(known))].join(', ') : '';
      describe(`seed ${seed} (${plan.fixture}${plan.linger ? ', linger' : ''})${known ? ` [known divergence: ${knownTags}]` : ''}`, () => {
        let plain: Promise<{ first: Outcome; again: Outcome; log: string[] }> | undefined;
        const once = (engine: Engine, log: string[]) => runSession(engine, {
          program: FIXTURE_MODELS().find((m) => m.name === plan.fixture)!.program,
          body: (s) => randomSession(s, plan, log),
          client: (c) => {
            c.eventTimeoutMs = 12_000;
            c.requestTimeoutMs = 12_000;
          },
        }, dlvPath, generation.env, work);
        const plainTwice = () => (plain ??= (async () => {
          const log: string[] = [];
          const first = await once('delve', log);
          const again = await once('delve', []);
          return { first, again, log };
        })());

        it('plain dlv dap, twice: the same transcript', async () => {
          const { first, again, log } = await plainTwice();
          if (process.env.MALLOCLENS_RANDOM_LOG === '1') console.log(`seed ${seed}:\n${log.join('\n')}`);
          assert.equal(first.error, undefined, `the session failed against plain Delve: ${first.error}\nactions:\n${log.join('\n')}`);
          const d = firstDifference(first, again);
          assert.ok(!d, d && `nondeterministic harness (plain vs plain), seed ${seed}: ${describeDifference(d, 'plain', 'plain again')}\nactions:\n${log.join('\n')}\nreplay: ${replayCommand(seed, generation, 'delve')}`);
          assert.deepEqual(await waitForNoLeftovers(), []);
        });

        for (const engine of ENGINES) {
          const skip = !RUN_ALL && (known?.[engine] !== undefined || isKnownDivergent(undefined, engine, generation.name)) && !process.env.MALLOCLENS_SEED;
          (skip ? it.skip : it)(`malloclens dap, ${engine} engine`, async function () {
            const { first, again, log } = await plainTwice();
            if (first.error || firstDifference(first, again)) this.skip(); // reported by the plain test
            const counted = await once(engine, []);
            const d = firstDifference(first, counted);
            const zero = !counted.tally || counted.tally.total.count === 0;
            if ((d || zero) && process.env.MALLOCLENS_RANDOM_REPORT) {
              appendFileSync(process.env.MALLOCLENS_RANDOM_REPORT, `${JSON.stringify({ seed, engine, generation: generation.name, difference: d, error: counted.error, counted: !zero, actions: log })}\n`);
            }
            assert.ok(!d, d && `seed ${seed}, ${engine} engine, ${generation.name}: ${describeDifference(d, 'plain', `malloclens ${engine}`)}${counted.error ? `\nmalloclens session: ${counted.error}` : ''}\nactions (plain):\n${log.join('\n')}\nreplay: ${replayCommand(seed, generation, engine)}`);
            assert.ok(counted.tally, 'malloclens answered malloclens/tally');
            assert.ok(counted.tally.total.count > 0, `the ${engine} engine counted allocations`);
            assert.deepEqual(await waitForNoLeftovers(), []);
          });
        }
      });
    }
  });
}
