/**
 * Go and Delve versions, and which Go releases each Delve release can debug.
 * The table mirrors Delve's own pkg/goversion/compat.go at each tag.
 */

export interface Version {
  major: number;
  minor: number;
  patch: number;
}

/** Parses "go1.26.8", "1.27.2", "go1.27rc1" or "devel go1.28-abc" (the first x.y[.z] found). */
export function parseVersion(text: string): Version | undefined {
  const m = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function atLeast(v: Version, major: number, minor: number, patch = 0): boolean {
  return compareVersions(v, { major, minor, patch }) >= 0;
}

export function formatVersion(v: Version): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** The Go minor releases (1.x) a Delve release debugs, oldest first. */
interface DelveGoRange {
  since: Version;
  minGoMinor: number;
  maxGoMinor: number;
}

const DELVE_GO_RANGES: DelveGoRange[] = [
  { since: { major: 1, minor: 20, patch: 0 }, minGoMinor: 18, maxGoMinor: 20 },
  { since: { major: 1, minor: 21, patch: 0 }, minGoMinor: 18, maxGoMinor: 21 },
  { since: { major: 1, minor: 21, patch: 1 }, minGoMinor: 19, maxGoMinor: 21 },
  { since: { major: 1, minor: 22, patch: 0 }, minGoMinor: 19, maxGoMinor: 22 },
  { since: { major: 1, minor: 23, patch: 0 }, minGoMinor: 21, maxGoMinor: 23 },
  { since: { major: 1, minor: 24, patch: 0 }, minGoMinor: 21, maxGoMinor: 24 },
  { since: { major: 1, minor: 25, patch: 1 }, minGoMinor: 22, maxGoMinor: 25 },
  { since: { major: 1, minor: 26, patch: 0 }, minGoMinor: 24, maxGoMinor: 26 },
  { since: { major: 1, minor: 27, patch: 0 }, minGoMinor: 25, maxGoMinor: 27 },
];

/** The oldest Delve malloclens drives (DAP `--client-addr` and function breakpoints as used here). */
export const MIN_DELVE: Version = { major: 1, minor: 20, patch: 0 };

/** The Delve malloclens installs when none that fits is found. */
export const PINNED_DELVE = { module: 'github.com/go-delve/delve/cmd/dlv', version: '1.27.2' };

export function supportedGoRange(delve: Version): { minGoMinor: number; maxGoMinor: number } | undefined {
  let found: DelveGoRange | undefined;
  for (const range of DELVE_GO_RANGES) {
    if (compareVersions(delve, range.since) >= 0) found = range;
  }
  if (!found) return undefined;
  // A Delve newer than the table is assumed to keep the newest window moving one release at a time.
  const newest = DELVE_GO_RANGES[DELVE_GO_RANGES.length - 1];
  if (found === newest && delve.minor > newest.since.minor) {
    const shift = delve.minor - newest.since.minor;
    return { minGoMinor: newest.minGoMinor + shift, maxGoMinor: newest.maxGoMinor + shift };
  }
  return { minGoMinor: found.minGoMinor, maxGoMinor: found.maxGoMinor };
}

/**
 * Undefined when this Delve debugs this Go; otherwise one sentence saying why not. `where` names
 * the Delve (e.g. "at /usr/bin/dlv").
 */
export function delveGoMismatch(delve: Version, go: Version, where = ''): string | undefined {
  const name = `Delve ${formatVersion(delve)}${where ? ` ${where}` : ''}`;
  if (compareVersions(delve, MIN_DELVE) < 0) {
    return `${name} is too old for malloclens (it needs Delve ${formatVersion(MIN_DELVE)} or newer).`;
  }
  const range = supportedGoRange(delve);
  if (!range || go.major !== 1) return undefined;
  if (go.minor < range.minGoMinor || go.minor > range.maxGoMinor) {
    return `${name} debugs Go 1.${range.minGoMinor} to 1.${range.maxGoMinor}, but the program is built with go${go.major}.${go.minor}.${go.patch}.`;
  }
  return undefined;
}

/** Delve features that changed what the proxy may rely on. */
export function delveFeatures(delve: Version) {
  return {
    /** `--client-addr unix:/path` (v1.24.0, go-delve/delve#3819; 1.23 still dials TCP). */
    unixClientAddr: atLeast(delve, 1, 24, 0),
    /** `delve.bphitcount[id]` in expressions (v1.24.1). */
    breakpointHitCount: atLeast(delve, 1, 24, 1),
  };
}
