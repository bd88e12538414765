/**
 * A report's whole stacks as a pprof profile (profile.proto, gzipped), the format `go tool pprof`
 * reads: sample types alloc_objects/count and alloc_space/bytes, one sample per distinct stack,
 * a Location per frame with its Function and Line. Exact counts: the period is 1 (every
 * allocation), so pprof's figures are the report's.
 */
import { gzipSync } from 'node:zlib';
import { Function as PprofFunction, Line, Location, Profile, Sample, StringTable, ValueType } from 'pprof-format';
import type { MallocReport } from './report';

export class PprofExportError extends Error {}

export function reportToProfile(report: MallocReport): Profile {
  if (!report.stacks) throw new PprofExportError('this report has no stacks (a live or older count); count the program to the end first');
  if (report.sampled) throw new PprofExportError('this report was read from a pprof profile; open that file in go tool pprof instead');
  const strings = new StringTable();
  const functionIds = new Map<string, number>();
  const functions: PprofFunction[] = [];
  const locations = report.stacks.frames.map((frame, i) => {
    const key = `${frame.function}\n${frame.file ?? ''}`;
    let functionId = functionIds.get(key);
    if (functionId === undefined) {
      functionId = functions.length + 1;
      functionIds.set(key, functionId);
      const name = strings.dedup(frame.function);
      functions.push(new PprofFunction({ id: functionId, name, systemName: name, filename: strings.dedup(frame.file ?? '') }));
    }
    return new Location({ id: i + 1, line: [new Line({ functionId, line: frame.line ?? 0 })] });
  });
  const samples = report.stacks.samples.map((s) => new Sample({ locationId: s.stack.map((i) => i + 1), value: [s.count, s.bytes] }));
  const comments = [
    `malloclens: exact heap allocation counts (every allocation, not sampled), ${report.engine ?? 'unknown'} engine`,
    `${report.go} · Delve ${report.delve} · build flags ${report.buildFlags || '(none)'}`,
  ];
  return new Profile({
    sampleType: [
      new ValueType({ type: strings.dedup('alloc_objects'), unit: strings.dedup('count') }),
      new ValueType({ type: strings.dedup('alloc_space'), unit: strings.dedup('bytes') }),
    ],
    sample: samples,
    location: locations,
    function: functions,
    periodType: new ValueType({ type: strings.dedup('space'), unit: strings.dedup('bytes') }),
    period: 1,
    comment: comments.map((c) => strings.dedup(c)),
    defaultSampleType: strings.dedup('alloc_objects'),
    stringTable: strings,
    timeNanos: BigInt(Date.now()) * 1_000_000n,
  });
}

/** The gzipped profile.proto bytes, as `go tool pprof` and `/debug/pprof` exchange them. */
export function encodePprof(report: MallocReport): Buffer {
  return gzipSync(reportToProfile(report).encode());
}
