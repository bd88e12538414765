/**
 * THE ONE PLACE that says which differential comparisons are known to fail through malloclens
 * today (issue 9). Their malloclens runs are `it.skip` unless MALLOCLENS_DIFF_ALL=1; the plain
 * Delve runs of the same scripts and seeds always run (so the scripts stay true to Delve).
 * After a fix: delete the entry (or narrow its engines / generations), run with
 * MALLOCLENS_DIFF_ALL=1 to see the rest.
 */
import type { Engine } from './adapters';

export interface KnownDivergence {
  /** A short tag naming the defect: scripts and seeds carry it. */
  tag: string;
  /** The engines it diverges on (both unless told). */
  engines?: Engine[];
  /** Substrings of the Go generation names it diverges on (all unless told). */
  generations?: string[];
  /** Every script (and seed) diverges there, whatever its own tag. */
  everywhere?: boolean;
  what: string;
}

export const KNOWN_DIVERGENCES: Record<string, KnownDivergence> = {};

/**
 * Generated sessions (random.test.ts) known to diverge: seed → engine → the defect's tag (the
 * first divergence of that seed on that engine, as far as it could be told from the transcript).
 * A seed or engine not listed must pass. Seeds 1–80 run on Go 1.26, 101–125 on Go 1.27.
 */
export const KNOWN_DIVERGENT_SEEDS: Record<number, Partial<Record<Engine, string>>> = {
  // GENERATED-SEEDS-BEGIN
  // GENERATED-SEEDS-END
};

export const RUN_ALL = process.env.MALLOCLENS_DIFF_ALL === '1';

export function isKnownDivergent(tag: string | undefined, engine: Engine, generation: string): boolean {
  const applies = (known: KnownDivergence) =>
    (!known.engines || known.engines.includes(engine)) && (!known.generations || known.generations.some((g) => generation.includes(g)));
  if (Object.values(KNOWN_DIVERGENCES).some((known) => known.everywhere && applies(known))) return true;
  if (!tag) return false;
  const known = KNOWN_DIVERGENCES[tag];
  if (!known) throw new Error(`unknown divergence tag ${tag}: add it to knownDivergences.ts`);
  return applies(known);
}
