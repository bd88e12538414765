/** Number and byte formatting shared by the CLI table and the editor decorations. */

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** Exact below 1 KiB, otherwise one decimal in binary units: `40.1 KiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  // Compare the rounded value, so that 1048575 B reads 1.0 MiB rather than 1024.0 KiB.
  while (Number(value.toFixed(1)) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/** The minus sign (U+2212), not a hyphen: `−1,000` lines up with `+3` and reads as a number. */
export const MINUS = '\u2212';

/** A signed difference: `+3`, `−1,000`, `±0`. */
export function formatDelta(n: number): string {
  if (n === 0) return '±0';
  return `${n > 0 ? '+' : MINUS}${formatCount(Math.abs(n))}`;
}

/** A signed difference in bytes: `+48 B`, `−1.5 KiB`, `±0 B`. */
export function formatBytesDelta(n: number): string {
  if (n === 0) return '±0 B';
  return `${n > 0 ? '+' : MINUS}${formatBytes(Math.abs(n))}`;
}
