/**
 * `--top N` and `--filter PATTERN` for the CLI's tables. A pattern is a case-insensitive regular
 * expression; one that is not a valid expression (`make(map`, as people type calls) is matched as
 * plain text instead of failing, so that a call can be pasted as it reads in the source.
 */

export interface RowSelection {
  top?: number;
  filter?: string;
}

export interface TextMatcher {
  kind: 'regex' | 'substring';
  test(text: string): boolean;
}

export function textMatcher(pattern: string): TextMatcher {
  try {
    const re = new RegExp(pattern, 'i');
    return { kind: 'regex', test: (t) => re.test(t) };
  } catch {
    const needle = pattern.toLowerCase();
    return { kind: 'substring', test: (t) => t.toLowerCase().includes(needle) };
  }
}

export interface Selected<T> {
  rows: T[];
  /** Rows before selection. */
  of: number;
}

/**
 * Rows whose texts (location, function, call…) match the filter; then the `top` largest by count,
 * in their original order otherwise (a stable sort: equal counts keep the report's order).
 */
export function selectRows<T>(rows: readonly T[], texts: (row: T) => string[], count: (row: T) => number, selection: RowSelection): Selected<T> {
  let kept = [...rows];
  if (selection.filter !== undefined) {
    const m = textMatcher(selection.filter);
    kept = kept.filter((r) => texts(r).some((t) => m.test(t)));
  }
  if (selection.top !== undefined) kept = kept.map((r, i) => ({ r, i })).sort((a, b) => count(b.r) - count(a.r) || a.i - b.i).slice(0, selection.top).map((x) => x.r);
  return { rows: kept, of: rows.length };
}

/** The line under a cut table, or '' when every row is shown. */
export function describeSelection(shown: number, of: number, selection: RowSelection): string {
  if (selection.top === undefined && selection.filter === undefined) return '';
  const how = [
    selection.filter !== undefined ? `--filter ${JSON.stringify(selection.filter)} (${textMatcher(selection.filter).kind})` : '',
    selection.top !== undefined ? `--top ${selection.top}` : '',
  ].filter(Boolean).join(', ');
  return `showing ${shown} of ${of} rows (${how}); the total below is the whole report's`;
}
