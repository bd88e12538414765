/**
 * Heat of a line: its share of the run's allocations, in a few levels the editor colours with
 * themable colours. Levels rather than a gradient, so that themes can pick each colour.
 */
import type { Amount } from './tally';

/** 0: counted, nothing allocated; 1 (low) to 4 (top). */
export type HeatLevel = 0 | 1 | 2 | 3 | 4;

export const HEAT_LEVELS: readonly HeatLevel[] = [0, 1, 2, 3, 4];

/** Theme colour ids per level, declared in package.json `contributes.colors` (themes may override them). */
export const HEAT_COLORS: Record<HeatLevel, string> = {
  0: 'malloclens.heatNoneForeground',
  1: 'malloclens.heatLowForeground',
  2: 'malloclens.heatMediumForeground',
  3: 'malloclens.heatHighForeground',
  4: 'malloclens.heatTopForeground',
};

/** Lower bounds of levels 2, 3 and 4, as shares of all allocations counted. */
export const HEAT_THRESHOLDS = { medium: 0.01, high: 0.05, top: 0.25 } as const;

/** The line's share of the run's allocation count (0 when nothing was counted at all). */
export function shareOf(line: Amount, total: Amount): number {
  return total.count > 0 ? line.count / total.count : 0;
}

export function heatLevel(line: Amount, total: Amount): HeatLevel {
  if (line.count === 0) return 0;
  const share = shareOf(line, total);
  if (share >= HEAT_THRESHOLDS.top) return 4;
  if (share >= HEAT_THRESHOLDS.high) return 3;
  if (share >= HEAT_THRESHOLDS.medium) return 2;
  return 1;
}

/**
 * Whether a line is worth showing under the minimum-share setting (a percentage). Lines of a
 * statement count (line scope) and lines that allocated nothing are answers, not noise: always shown.
 */
export function passesMinimumShare(line: Amount, total: Amount, minimumPercent: number, scope: 'run' | 'line' | 'op'): boolean {
  if (scope === 'line' || line.count === 0 || !(minimumPercent > 0)) return true;
  return shareOf(line, total) * 100 >= minimumPercent;
}
