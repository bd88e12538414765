/** How callers read in the tree, the hover and the table: `main.main:64 → main.fromA:43`. */
import type { ReportFrame } from './stackTable';
import type { CallerTally } from './tally';

export function frameText(f: ReportFrame): string {
  return f.line !== undefined ? `${f.function}:${f.line}` : f.function;
}

/** The chain outermost first, `… →` in front when the recorded stack was cut above it. */
export function callerChainText(c: CallerTally): string {
  const chain = c.frames.map(frameText).join(' → ') || '(stack ends here)';
  return c.truncated ? `… → ${chain}` : chain;
}

/** The nearest caller, where clicking a caller goes. */
export function nearestCaller(c: CallerTally): ReportFrame | undefined {
  return c.frames[c.frames.length - 1];
}
