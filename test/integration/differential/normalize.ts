/**
 * What may differ between two runs of the same session, and nothing else: sequence numbers,
 * addresses, OS thread numbers, the numbering of handles (frames, variables, memory references),
 * Delve's temporary binary names. Everything else must be equal.
 *
 * Handles are renumbered in order of first appearance, afresh after every request that let the
 * program run (Delve voids them there, and how many it handed out meanwhile, to malloclens's hidden
 * requests too, is not the client's to see); within one stop the same handle keeps one number.
 */
import type { TranscriptEntry } from './recordingClient';

const HANDLE_KEYS = new Set(['variablesReference', 'frameId', 'memoryReference', 'systemProcessId']);

/** Handles that outlive a resume: the process's ID. */
const LASTING_HANDLES = new Set(['systemProcessId']);

class Renumbering {
  private seen = new Map<string, number>();
  private readonly lasting = new Map<string, number>();

  /** A resume voids the stop's handles: the next ones are numbered from 1 again. */
  resume(): void {
    this.seen = new Map();
  }

  id(kind: string, value: unknown): unknown {
    if (typeof value !== 'number' && typeof value !== 'string') return value;
    if (value === 0 || value === '') return value;
    const key = `${kind}:${value}`;
    const seen = LASTING_HANDLES.has(kind) ? this.lasting : this.seen;
    if (!seen.has(key)) seen.set(key, seen.size + 1);
    return `#${seen.get(key)}`;
  }
}

function normalizeString(s: string): string {
  return s
    .replace(/0x[0-9a-fA-F]+/g, '0x?')
    // Delve's bare code address in "Breakpoint exists at FILE:LINE at 4bf56a": fast mode's runtime
    // overlay moves the program's code, as any rebuild with other flags would.
    .replace(/(Breakpoint exists at \S+ at )[0-9a-f]+/g, '$1?')
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
  return entries.map((e) => {
    const normal = { [e.kind]: e.name, ...(walk(e.message, handles) as object) };
    if (e.resumed) handles.resume();
    return normal;
  });
}
