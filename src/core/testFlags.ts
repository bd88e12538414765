/** The test binary's own flags for running some tests or benchmarks, as `go test -run/-bench/-benchtime` pass them. */

export interface TestSelection {
  /** -test.bench: the benchmarks to run. */
  bench?: string;
  /** -test.benchtime: `100x` or a duration. */
  benchtime?: string;
  /** -test.run: the tests to run; with `bench` it defaults to none, as go test's. */
  run?: string;
}

export function testBinaryFlags(selection: TestSelection): string[] {
  const run = selection.run ?? (selection.bench !== undefined ? '^$' : undefined);
  return [
    ...(run !== undefined ? [`-test.run=${run}`] : []),
    ...(selection.bench !== undefined ? [`-test.bench=${selection.bench}`] : []),
    ...(selection.benchtime !== undefined ? [`-test.benchtime=${selection.benchtime}`] : []),
  ];
}

/** Go's -test.benchtime: `100x` or a time.Duration such as `1s`, `500ms`, `1m30s`. */
export function isBenchtime(v: string): boolean {
  return /^[1-9]\d*x$/.test(v) || /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(v);
}

/** A regular expression that matches exactly one top-level test or benchmark name. */
export function exactly(name: string): string {
  return `^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`;
}
