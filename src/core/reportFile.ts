/**
 * Reading a saved report (`malloclens count --json`, the editor's export) back: a baseline to
 * compare with, an import, the counts kept across a window reload. The file may be anything, so
 * every part the editor and the CLI read is checked, and what is wrong is said, never shown as an
 * empty report.
 */
import type { MallocReport } from './report';

export class ReportFileError extends Error {}

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isAmount(v: unknown): boolean {
  return isObject(v) && Number.isFinite(v.count) && Number.isFinite(v.bytes) && (v.count as number) >= 0 && (v.bytes as number) >= 0;
}

function isPaths(v: unknown): boolean {
  return Array.isArray(v) && v.every((p) => isAmount(p) && Array.isArray((p as Json).frames));
}

/** What is wrong with a parsed value as a report, or undefined when it is one. */
export function reportProblem(value: unknown): string | undefined {
  if (!isObject(value)) return 'it is not a JSON object';
  if (!Array.isArray(value.lines)) return 'it has no "lines" array (is it a malloclens report, from `malloclens count --json` or Export Report?)';
  if (!isAmount(value.total)) return 'its "total" is not {count, bytes}';
  if (!isObject(value.unattributed) || !isAmount(value.unattributed) || !Array.isArray(value.unattributed.buckets)) return 'its "unattributed" is not {count, bytes, buckets}';
  if (value.scope !== 'run' && value.scope !== 'line') return 'its "scope" is neither "run" nor "line"';
  for (const [i, line] of value.lines.entries()) {
    const l = line as Json;
    if (!isObject(l) || typeof l.file !== 'string' || !Number.isInteger(l.line) || (l.line as number) < 1 || !isAmount(l) || !isPaths(l.paths)) {
      return `lines[${i}] is not {file, line, function, count, bytes, paths}`;
    }
    if (l.runtime !== undefined && !isAmount(l.runtime)) return `lines[${i}].runtime is not {count, bytes}`;
  }
  for (const [i, b] of value.unattributed.buckets.entries()) {
    if (!isObject(b) || typeof b.name !== 'string' || !isAmount(b) || !isPaths(b.paths)) return `unattributed.buckets[${i}] is not {name, count, bytes, paths}`;
  }
  return undefined;
}

/** Parses and checks a report's text; `what` names it in the error (a file name). */
export function parseReport(text: string, what: string): MallocReport {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ReportFileError(`${what} is not JSON (${(e as Error).message})`);
  }
  const problem = reportProblem(value);
  if (problem) throw new ReportFileError(`${what} is not a malloclens report: ${problem}`);
  const report = value as MallocReport;
  // Older or hand-trimmed reports: fields nothing depends on get their empty values.
  return {
    ...report,
    go: typeof report.go === 'string' ? report.go : '',
    delve: typeof report.delve === 'string' ? report.delve : '',
    buildFlags: typeof report.buildFlags === 'string' ? report.buildFlags : '',
    lines: report.lines.map((l) => ({ ...l, function: typeof l.function === 'string' ? l.function : '' })),
    warnings: Array.isArray(report.warnings) ? report.warnings.filter((w) => typeof w === 'string') : [],
  };
}
