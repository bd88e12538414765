/**
 * The `substitutePath` rules of a launch or attach configuration, as Delve applies them
 * (pkg/locspec.SubstitutePath): `from` is the editor's (client's) path, `to` the one the program
 * was built with. Delve translates the paths of its own DAP answers; malloclens reads paths Delve
 * never sees (the executable's line table, in fast mode) and must translate them the same way.
 */

export interface PathRule {
  from: string;
  to: string;
}

/** The rules of a configuration's `substitutePath`, skipping entries that are not from/to strings. */
export function pathRules(value: unknown): PathRule[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((r): r is PathRule => typeof r === 'object' && r !== null && typeof (r as PathRule).from === 'string' && typeof (r as PathRule).to === 'string');
}

const isSeparator = (c: string | undefined) => c === '/' || c === '\\';
const windowsAbsolute = (p: string) => /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\');
const isAbsolute = (p: string) => p.startsWith('/') || windowsAbsolute(p);

/** The separator `to` uses; '' when it uses none, undefined when it mixes them. */
function separatorOf(to: string): string | undefined {
  let sep = '';
  for (const c of to) {
    if (!isSeparator(c)) continue;
    if (sep === '') sep = c;
    else if (sep !== c) return undefined;
  }
  return sep;
}

function join(to: string, rest: string): string {
  let sep = separatorOf(to);
  if (sep === '/') rest = rest.replace(/\\/g, '/');
  else if (sep === '\\') rest = rest.replace(/\//g, '\\');
  else sep = '/';
  const toEnds = isSeparator(to[to.length - 1]);
  const restStarts = isSeparator(rest[0]);
  if (toEnds && restStarts) return to.slice(0, -1) + rest;
  if (toEnds || restStarts) return to + rest;
  return to + sep + rest;
}

/** Delve's SubstitutePath: the first rule whose `[0]` prefixes `file` at a separator rewrites it to `[1]`. */
export function substitutePath(file: string, rules: [string, string][]): string {
  const caseInsensitive = windowsAbsolute(file) || rules.some(([a, b]) => windowsAbsolute(a) || windowsAbsolute(b));
  for (const [fromRule, to] of rules) {
    if (file === fromRule) return to;
    let subject = file;
    let from = fromRule;
    let match: boolean;
    let rest = '';
    if (from === '') {
      match = !isAbsolute(subject);
      rest = subject;
    } else {
      if (caseInsensitive) {
        match = subject.toLowerCase().startsWith(from.toLowerCase());
        if (match) {
          subject = subject.toLowerCase();
          from = from.toLowerCase();
        }
      } else {
        match = subject.startsWith(from);
      }
      if (match) {
        rest = subject.slice(from.length);
        match = isSeparator(from[from.length - 1]) || isSeparator(rest[0]);
      }
    }
    if (!match) continue;
    if (to === '') return isSeparator(rest[0]) ? rest.slice(1) : rest;
    return join(to, rest);
  }
  return file;
}

/** A path of the program's (its executable's, the remote machine's) as the editor knows it. */
export function toClientPath(file: string, rules: PathRule[]): string {
  return rules.length === 0 ? file : substitutePath(file, rules.map((r) => [r.to, r.from]));
}

/** An editor path as the program knows it. */
export function toServerPath(file: string, rules: PathRule[]): string {
  return rules.length === 0 ? file : substitutePath(file, rules.map((r) => [r.from, r.to]));
}
