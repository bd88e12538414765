/**
 * The compiler's prediction beside the measurement: what escape analysis (`go build -gcflags=-m`)
 * says about a statement, and whether the allocations counted agree with it.
 *
 * Escape analysis judges values the statement creates, not what callees do with them: a
 * `make(map[int]int, 1000)` that "does not escape" keeps its header on the stack, yet
 * runtime.makemap still allocates its buckets (or directory, tables and groups) on the heap.
 * Such lines are flagged, with the runtime functions that allocated.
 */
import * as path from 'node:path';

export type EscapeVerdict = 'escapes' | 'does not escape' | 'moved to heap';

export interface EscapeMessage {
  file: string;
  line: number;
  column: number;
  /** The expression or variable judged, as the compiler prints it: `make(map[int]int, 1000)`. */
  subject: string;
  verdict: EscapeVerdict;
}

export interface EscapePrediction {
  /** `heap`: something on the statement escapes; `stack`: all it judged stays; `none`: it judged nothing here. */
  verdict: 'heap' | 'stack' | 'none';
  messages: EscapeMessage[];
  /** False when the measurement contradicts the prediction; `note` then says how. */
  agrees: boolean;
  note?: string;
}

const MESSAGE = /^(.+?\.go):(\d+):(\d+): (.*)$/;

/** The escape verdicts in `-m` output (other diagnostics, such as inlining decisions, are dropped). */
export function parseEscapeOutput(output: string, buildDir: string): EscapeMessage[] {
  const messages: EscapeMessage[] = [];
  for (const raw of output.split('\n')) {
    const m = MESSAGE.exec(raw.trim());
    if (!m) continue;
    const verdict = parseVerdict(m[4]);
    if (!verdict) continue;
    messages.push({ file: path.resolve(buildDir, m[1]), line: Number(m[2]), column: Number(m[3]), ...verdict });
  }
  return messages;
}

function parseVerdict(text: string): { subject: string; verdict: EscapeVerdict } | undefined {
  let m = /^(.*) escapes to heap$/.exec(text);
  if (m) return { subject: m[1], verdict: 'escapes' };
  m = /^(.*) does not escape$/.exec(text);
  if (m) return { subject: m[1], verdict: 'does not escape' };
  m = /^moved to heap: (.*)$/.exec(text);
  if (m) return { subject: m[1], verdict: 'moved to heap' };
  return undefined;
}

/** What the measurement of a statement says, for comparison: how many allocations, and through which calls. */
export interface StatementMeasurement {
  count: number;
  /** The first frame below the statement of each allocation (`runtime.makemap`, `strconv.Itoa`). */
  callees: string[];
}

export function predictStatement(messages: EscapeMessage[], file: string, line: number, endLine: number, measured: StatementMeasurement): EscapePrediction {
  const here = messages
    .filter((m) => m.file === file && m.line >= line && m.line <= endLine)
    .sort((a, b) => a.line - b.line || a.column - b.column);
  const heap = here.some((m) => m.verdict !== 'does not escape');
  const verdict = heap ? 'heap' : here.length > 0 ? 'stack' : 'none';
  if (verdict !== 'heap' && measured.count > 0) {
    const through = [...new Set(measured.callees)].join(', ');
    return { verdict, messages: here, agrees: false, note: `nothing escapes by the compiler's account, yet the statement allocated ${measured.count} time${measured.count === 1 ? '' : 's'}${through ? `, through ${through}` : ''}` };
  }
  if (verdict === 'heap' && measured.count === 0) {
    return { verdict, messages: here, agrees: false, note: 'the compiler moves a value to the heap here, yet nothing was allocated (a zero-size value, or a small one the runtime keeps in static memory)' };
  }
  return { verdict, messages: here, agrees: true };
}
