/**
 * What a row of the Allocations view says about a count's source, so that two runs of one program
 * can be told apart and a run stopped early does not pass for a whole one: its scope, when it
 * started, which engine counted, and whether it is still running, finished, or was cut short.
 */
import { formatSampleRate, SCOPE_LABEL } from './amountText';
import type { MallocReport } from './report';

export type Engine = 'breakpoints' | 'fast';

export const ENGINE_LABEL: Record<Engine, string> = { breakpoints: 'breakpoint engine', fast: 'fast mode' };

export interface SourceFacts {
  id: string;
  label: string;
  kind: 'debug' | 'statement' | 'profile';
  report: MallocReport;
  live: boolean;
  started: number;
  /** Statement counts always use the breakpoints; a debug session says (undefined: not known). */
  engine?: Engine;
  /** Restored from an earlier window. */
  earlier?: boolean;
  /** Read from a report file. */
  imported?: string;
}

export type SourceState = 'running' | 'complete' | 'stopped early' | 'not reached' | 'sampled';

export function sourceState(s: SourceFacts): SourceState {
  if (s.live) return 'running';
  if (s.report.sampled) return 'sampled';
  if (s.report.scope === 'line') return s.report.statement && !s.report.statement.reached ? 'not reached' : 'complete';
  // The program's end is known only when it exited (an exit code) or died (a panic); a session
  // ended from the debugger's Stop button has neither.
  return s.report.program?.exitCode !== undefined || s.report.program?.error ? 'complete' : 'stopped early';
}

/** `complete`, `complete · exit 3`, `complete · panic`: how a finished program ended, when not cleanly. */
export function stateText(s: SourceFacts): string {
  const state = sourceState(s);
  if (state !== 'complete' || s.report.scope === 'line') return state;
  if (s.report.program?.error) return 'complete · panicked';
  const code = s.report.program?.exitCode;
  return code ? `complete · exit ${code}` : state;
}

/** `09:51:02`, local time: enough to tell today's runs apart. */
export function clockTime(ms: number): string {
  const d = new Date(ms);
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

/**
 * Labels that tell sources with the same name apart: `Launch Package #2`, numbered in the order
 * they started; a name used once keeps no number.
 */
export function distinctLabels(sources: readonly SourceFacts[]): Map<string, string> {
  const byLabel = new Map<string, SourceFacts[]>();
  for (const s of sources) byLabel.set(s.label, [...(byLabel.get(s.label) ?? []), s]);
  const out = new Map<string, string>();
  for (const [label, group] of byLabel) {
    const ordered = [...group].sort((a, b) => a.started - b.started);
    ordered.forEach((s, i) => out.set(s.id, group.length > 1 ? `${label} #${i + 1}` : label));
  }
  return out;
}

/**
 * The source row's description after its amount: state first (a narrow side bar cuts the end, and
 * a run stopped early must not pass for a whole one), then scope, start and engine.
 */
export function sourceFactsText(s: SourceFacts): string {
  if (s.report.sampled) return `sampled · ${formatSampleRate(s.report.sampled)} · ${s.report.sampled.kind === 'inuse' ? 'in use' : 'allocated'} · ${clockTime(s.started)}`;
  const engine = s.engine ?? (s.kind === 'statement' ? 'breakpoints' : undefined);
  const origin = s.imported ? 'imported' : s.earlier ? 'earlier session' : '';
  return [stateText(s), origin, SCOPE_LABEL[s.report.scope], clockTime(s.started), engine ? ENGINE_LABEL[engine] : ''].filter(Boolean).join(' · ');
}
