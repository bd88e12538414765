/**
 * What may differ between two runs of the same session, and nothing else: sequence numbers,
 * addresses, OS thread numbers, the numbering of handles (frames, variables, memory references),
 * Delve's temporary binary names. Everything else must be equal.
 */
import type { TranscriptEntry } from './recordingClient';

const HANDLE_KEYS = new Set(['variablesReference', 'frameId', 'memoryReference', 'systemProcessId']);

class Renumbering {
  private readonly seen = new Map<string, number>();
  id(kind: string, value: unknown): unknown {
    if (typeof value !== 'number' && typeof value !== 'string') return value;
    if (value === 0 || value === '') return value;
    const key = `${kind}:${value}`;
    if (!this.seen.has(key)) this.seen.set(key, this.seen.size + 1);
    return `#${this.seen.get(key)}`;
  }
}

function normalizeString(s: string): string {
  return s
    .replace(/0x[0-9a-fA-F]+/g, '0x?')
    .replace(/\(Thread \d+\)/g, '(Thread ?)')
    .replace(/\bProcess \d+\b/g, 'Process ?')
    .replace(/__debug_bin\d+/g, '__debug_bin');
}

function walk(value: unknown, handles: Renumbering, parentKey = '', inStackFrames = false): unknown {
  if (typeof value === 'string') return normalizeString(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, handles, parentKey, inStackFrames || parentKey === 'stackFrames'));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'seq' || key === 'request_seq') continue;
      if (HANDLE_KEYS.has(key)) out[key] = handles.id(key, v);
      else if (key === 'id' && inStackFrames) out[key] = handles.id('frameId', v);
      else out[key] = walk(v, handles, key, inStackFrames);
    }
    return out;
  }
  return value;
}

export function normalize(entries: TranscriptEntry[]): unknown[] {
  const handles = new Renumbering();
  return entries.map((e) => ({ [e.kind]: e.name, ...(walk(e.message, handles) as object) }));
}
