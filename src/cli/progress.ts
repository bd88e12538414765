/**
 * What a whole run has counted so far, on one line of a terminal's stderr that rewrites itself:
 * `counting: 1,204,331 allocations (412,000/s)`. Only on a terminal: piped output stays clean.
 */
import { formatCount } from '../core/format';

export interface Progress {
  update(counted: { count: number; bytes: number }): void;
  /** Clears the line (the report follows). */
  done(): void;
}

export function terminalProgress(stream: NodeJS.WriteStream, now: () => number = Date.now): Progress | undefined {
  if (!stream.isTTY) return undefined;
  const start = now();
  let shown = false;
  return {
    update: ({ count }) => {
      const seconds = Math.max(0.001, (now() - start) / 1000);
      stream.write(`\r\x1b[Kcounting: ${formatCount(count)} allocations (${formatCount(Math.round(count / seconds))}/s)`);
      shown = true;
    },
    done: () => {
      if (shown) stream.write('\r\x1b[K');
      shown = false;
    },
  };
}
