/** How the editor names an amount of allocations: `3 allocs · 40.1 KiB`, the same everywhere in the UI. */
import { formatBytes, formatCount, plural } from './format';
import type { Check, MallocReport, SampledOrigin, Scope } from './report';
import type { Amount } from './tally';

/**
 * What a number covers, said with the number: a statement's count is its first execution, a debug
 * session's is the run. Without it `1 alloc` (first execution) and `40 allocs` (forty executions)
 * on the same line read as a contradiction.
 */
export const SCOPE_LABEL: Record<Scope, string> = { line: 'first run', run: 'run', op: 'per op' };

/** `first run: 1 alloc · 48 B`, `run: 40 allocs · 1.9 KiB`. */
export function formatScopedAmount(amount: Amount, scope: Scope): string {
  // A benchmark's figures already say what they cover: `3 allocs/op · 96 B/op`.
  if (scope === 'op') return formatPerOpAmount({ allocsPerOp: amount.count, bytesPerOp: amount.bytes });
  return `${SCOPE_LABEL[scope]}: ${formatAmount(amount)}`;
}

/** `3 allocs · 40.1 KiB`; `0 allocs` (no bytes to speak of), `1 alloc · 48 B`. */
export function formatAmount(amount: Amount): string {
  const count = plural(amount.count, 'alloc');
  return amount.count === 0 && amount.bytes === 0 ? count : `${count} · ${formatBytes(amount.bytes)}`;
}

/** `≈22,277 allocs · ≈3.5 MiB`: a sampled profile's estimate, never written like a count. */
export function formatSampledAmount(amount: Amount): string {
  const count = `≈${plural(amount.count, 'alloc')}`;
  return amount.count === 0 && amount.bytes === 0 ? count : `${count} · ≈${formatBytes(amount.bytes)}`;
}

/** `1 sample per 4.0 KiB`: the profile's period (runtime.MemProfileRate). */
export function formatSampleRate(sampled: SampledOrigin): string {
  return `1 sample per ${formatBytes(sampled.rate)}`;
}

/** An amount as its report says it: `run: 3 allocs · 96 B`, or `sampled: ≈3 allocs · ≈96 B`. */
export function formatSourceAmount(amount: Amount, report: Pick<MallocReport, 'scope' | 'sampled'>): string {
  return report.sampled ? `sampled: ${formatSampledAmount(amount)}` : formatScopedAmount(amount, report.scope);
}

/** An amount without its scope: exact or `≈`. */
export function formatReportAmount(amount: Amount, report: Pick<MallocReport, 'sampled'>): string {
  return report.sampled ? formatSampledAmount(amount) : formatAmount(amount);
}

/** A share as a percentage people can read: `34%`, `2.5%`, `<0.1%`. */
export function formatShare(share: number): string {
  if (share <= 0) return '0%';
  const percent = share * 100;
  if (percent < 0.1) return '<0.1%';
  if (percent < 10) return `${percent.toFixed(1).replace(/\.0$/, '')}%`;
  return `${Math.round(percent)}%`;
}

/** Whether a finished run's report accounts for every allocation the runtime counted, in words. */
export function describeAccounting(check: Check | undefined): string | undefined {
  if (check?.runtimeMallocs === undefined || check.counted === undefined) return undefined;
  return check.complete
    ? `All ${formatCount(check.runtimeMallocs)} allocations the runtime counted are accounted for.`
    : `The runtime counted ${formatCount(check.runtimeMallocs)} allocations; the report accounts for ${formatCount(check.counted)}.`;
}

/**
 * A per-op figure: whole numbers as they are, others to two decimals without trailing zeros
 * (`1.5`, `0.33`), and `<0.01` for a positive figure that would round to zero.
 */
export function formatPerOp(value: number): string {
  if (Number.isInteger(value)) return formatCount(value);
  if (value > 0 && value < 0.005) return '<0.01';
  return Number(value.toFixed(2)).toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** `3 allocs/op · 96 B/op`, as `go test -benchmem` words it (unrounded there: see formatPerOp). */
export function formatPerOpAmount(amount: { allocsPerOp: number; bytesPerOp: number }): string {
  return `${formatPerOp(amount.allocsPerOp)} allocs/op · ${formatPerOp(amount.bytesPerOp)} B/op`;
}
