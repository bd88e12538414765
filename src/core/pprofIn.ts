/**
 * Reads a Go heap or allocs profile (`go test -memprofile`, `/debug/pprof/heap`, `/debug/pprof/allocs`;
 * gzipped or not) into a report of the usual shape, marked `sampled`. The figures are the
 * profile's own: runtime/pprof (protomem.go, scaleHeapSample) already scales each sampled record
 * to an estimate of all allocations (count / (1 - e^(-size/rate))), which is also what
 * `go tool pprof` shows, so nothing is scaled again here.
 */
import { gunzipSync } from 'node:zlib';
import { Profile } from 'pprof-format';
import type { StackFrame, UserCodeRoots } from './attribution';
import { buildReport, MallocReport, SampledOrigin } from './report';
import { Tally } from './tally';

export class PprofReadError extends Error {}

export interface PprofReadOptions {
  /** The profile's path, for the report. */
  file: string;
  roots: UserCodeRoots;
  /** alloc_objects/alloc_space (everything allocated) or inuse_objects/inuse_space (still live). */
  kind: SampledOrigin['kind'];
  /** Where a profile's file name is on this machine (a -trimpath build names module paths). */
  mapFile?: (file: string) => string;
}

function decode(bytes: Uint8Array): Profile {
  const gzipped = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  let raw: Uint8Array;
  try {
    raw = gzipped ? gunzipSync(bytes) : bytes;
  } catch (e) {
    throw new PprofReadError(`not a gzipped profile: ${(e as Error).message}`);
  }
  try {
    return Profile.decode(raw);
  } catch (e) {
    throw new PprofReadError(`not a pprof profile (profile.proto): ${(e as Error).message}`);
  }
}

export function readPprof(bytes: Uint8Array, options: PprofReadOptions): MallocReport {
  const profile = decode(bytes);
  const strings = profile.stringTable.strings;
  const text = (i: unknown) => strings[Number(i)] ?? '';
  const types = profile.sampleType.map((t) => text(t.type));
  const countIndex = types.indexOf(`${options.kind}_objects`);
  const bytesIndex = types.indexOf(`${options.kind}_space`);
  if (countIndex < 0 || bytesIndex < 0) {
    const found = types.length > 0 ? types.join(', ') : 'none';
    throw new PprofReadError(`not a heap or allocs profile: no ${options.kind}_objects and ${options.kind}_space samples (it has ${found})`);
  }
  const functions = new Map(profile.function.map((f) => [Number(f.id), f]));
  const mapFile = options.mapFile ?? ((f: string) => f);
  const locations = new Map<number, StackFrame[]>();
  let unsymbolized = 0;
  for (const loc of profile.location) {
    // Lines of one location: the innermost inlined call first, the function it was inlined into last.
    const frames = loc.line.map((l) => {
      const fn = functions.get(Number(l.functionId));
      const file = fn ? text(fn.filename) : '';
      return { name: fn ? text(fn.name) : '???', ...(file ? { path: mapFile(file), line: Number(l.line) } : {}) };
    });
    if (frames.length === 0) unsymbolized += 1;
    locations.set(Number(loc.id), frames.length > 0 ? frames : [{ name: `0x${BigInt(loc.address).toString(16)}` }]);
  }
  const tally = new Tally(options.roots);
  for (const sample of profile.sample) {
    const count = Number(sample.value[countIndex] ?? 0);
    if (count === 0) continue;
    const frames = sample.locationId.flatMap((id) => locations.get(Number(id)) ?? [{ name: '???' }]);
    tally.record({ size: 0, bytes: Number(sample.value[bytesIndex] ?? 0), count, frames });
  }
  const rate = Number(profile.period);
  const warnings: string[] = [];
  if (unsymbolized > 0) warnings.push(`${unsymbolized} of the profile's locations have no function or line (an unsymbolized profile): their allocations are not on any line.`);
  if (tally.lineTallies().length === 0 && tally.totals().count > 0) {
    warnings.push(`No frame of the profile is under ${options.roots.include.join(', ')}: every allocation is in a bucket. Point the user code root at the program's module.`);
  }
  return {
    ...buildReport({ go: 'unknown', delve: '', buildFlags: '', scope: 'run' }, tally, { warnings }),
    sampled: { file: options.file, rate, kind: options.kind },
  };
}
