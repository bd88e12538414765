/** Reports shaped like real ones (Go 1.26.8, Delve 1.27.2, examples/experiment) for the UI logic tests. */
import type { MallocReport } from '../../src/core/report';
import type { LineTally, PathTally } from '../../src/core/tally';

export const MAIN = '/work/example/main.go';

export function path(frames: string[], count: number, bytes: number): PathTally {
  return { frames, count, bytes };
}

/** make(map[int]int, 1000) on Go 1.26, not escaping: directory, two tables, two group arrays. */
export function swissMapLine(line = 6): LineTally {
  return {
    file: MAIN, line, function: 'main.main', count: 5, bytes: 34896,
    paths: [
      path(['runtime.makemap', 'maps.NewMap', 'maps.newTable', 'maps.(*table).reset', 'maps.newGroups', 'maps.newarray', 'runtime.newarray', 'runtime.mallocgc', 'runtime.mallocgcSmallNoscan'], 2, 34816),
      path(['runtime.makemap', 'maps.NewMap', 'maps.newTable', 'runtime.newobject', 'runtime.mallocgc', 'runtime.mallocgcSmallScanNoHeader'], 2, 64),
      path(['runtime.makemap', 'maps.NewMap', 'runtime.makeslice', 'runtime.mallocgc', 'runtime.mallocgcSmallScanNoHeader'], 1, 16),
    ],
  };
}

/** make(map[int]int, 1000) on Go 1.19, escaping: hmap, bucket array of 284, mapextra. */
export function classicMapLine(line = 6): LineTally {
  return {
    file: MAIN, line, function: 'main.main', count: 3, bytes: 40968,
    paths: [
      path(['runtime.makemap', 'runtime.makeBucketArray', 'runtime.newarray', 'runtime.mallocgc'], 1, 40896),
      path(['runtime.makemap', 'runtime.newobject', 'runtime.mallocgc'], 2, 72),
    ],
  };
}

export function report(lines: LineTally[], extra: Partial<MallocReport> = {}): MallocReport {
  const total = lines.reduce((t, l) => ({ count: t.count + l.count, bytes: t.bytes + l.bytes }), { count: 0, bytes: 0 });
  return {
    go: 'go1.26.8', delve: '1.27.2', buildFlags: '-gcflags=all=-N -l', scope: 'run', lines,
    unattributed: { count: 0, bytes: 0, buckets: [] }, total, warnings: [], ...extra,
  };
}

export function lineReport(lines: LineTally[], statementLine: number, reached = true, extra: Partial<MallocReport> = {}): MallocReport {
  return report(lines, { scope: 'line', statement: { file: MAIN, line: statementLine, endLine: statementLine, reached }, ...extra });
}
