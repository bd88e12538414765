/** How the editor names an amount of allocations: `3 allocs · 40.1 KiB`, the same everywhere in the UI. */
import { formatBytes, plural } from './format';
import type { Amount } from './tally';

/** `3 allocs · 40.1 KiB`; `0 allocs` (no bytes to speak of), `1 alloc · 48 B`. */
export function formatAmount(amount: Amount): string {
  const count = plural(amount.count, 'alloc');
  return amount.count === 0 && amount.bytes === 0 ? count : `${count} · ${formatBytes(amount.bytes)}`;
}

/** A share as a percentage people can read: `34%`, `2.5%`, `<0.1%`. */
export function formatShare(share: number): string {
  if (share <= 0) return '0%';
  const percent = share * 100;
  if (percent < 0.1) return '<0.1%';
  if (percent < 10) return `${percent.toFixed(1).replace(/\.0$/, '')}%`;
  return `${Math.round(percent)}%`;
}
