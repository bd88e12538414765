/** Command-line parsing for `malloclens`. Hand-written: a handful of flags does not need a library. */
import { EngineName, ENGINES, isEngineName } from '../core/engineChoice';
import { DapArgs, parseDapArgs } from './dap';
import { UsageError } from './usageError';

import { isBenchtime } from '../core/testFlags';
export { testBinaryFlags } from '../core/testFlags';

export interface CountArgs {
  command: 'count';
  json: boolean;
  output?: string;
  line?: { file: string; line: number };
  optimized: boolean;
  test: boolean;
  makeRows: boolean;
  /** The engine asked for (`--engine`, or `--fast`); chooseEngine decides with the scope. */
  engine?: EngineName;
  dlv?: string;
  /** Table only: the N rows with the most allocations. */
  top?: number;
  /** Table only: rows whose location, function or call matches (regex, else plain text). */
  filter?: string;
  /** `--bench`: the benchmarks to run (-test.bench) and report per op. */
  bench?: string;
  /** `--benchtime`: -test.benchtime (`100x`, `1s`). */
  benchtime?: string;
  /** `--run`: the tests to run (-test.run); with --bench it defaults to none, as go test does. */
  run?: string;
  /** Also write the whole stacks as a gzipped pprof profile to this file. */
  pprof?: string;
  /** A saved `--json` report to compare with: the table and the JSON carry the differences. */
  baseline?: string;
  target: string;
  programArgs: string[];
}

export interface ShowArgs {
  command: 'show';
  profile: string;
  json: boolean;
  output?: string;
  /** inuse_objects/inuse_space instead of alloc_objects/alloc_space. */
  inuse: boolean;
  /** The program's module (user code); default the current directory's. */
  root?: string;
  top?: number;
  filter?: string;
}

export type CliArgs = CountArgs | ShowArgs | DapArgs | { command: 'lsp' } | { command: 'help' } | { command: 'version' };

export { UsageError };

export const USAGE = `usage: malloclens count [flags] <package dir | file.go> [-- program args]

Counts the heap allocations each source line makes, by running the program under Delve:
by default from the Go runtime's own allocation profile (fast: the program's speed), or
with a hidden breakpoint on every allocation (--engine breakpoints; --line always does).

flags:
  --json              print the report as one JSON object; standard output then carries only
                      the report, and the program's own stdout goes to standard error
  -o, --output FILE   write the report to FILE instead of standard output (the program's
                      stdout stays on standard output)
  --top N             show the N rows with the most allocations (table only; the total and
                      the JSON stay whole)
  --filter PATTERN    show rows whose location, function or call path (--make: call) matches
                      PATTERN: a case-insensitive regular expression, or plain text when it
                      is not a valid one (such as make(map); table only
  --pprof FILE        also write a pprof profile (gzipped profile.proto: alloc_objects and
                      alloc_space per call stack, exact) for go tool pprof
  --line FILE:LINE    count only the first execution of the statement at FILE:LINE; on a
                      func line, one call of the function (until it returns)
  --optimized         build as for production (without -gcflags=all=-N -l)
  --test              count the package's tests (go test -c)
  --bench REGEXP      run the package's benchmarks matching REGEXP (implies --test) and
                      report each one's allocations per op, per line, over the runs the
                      testing package times (its last run of b.N, timer windows only)
  --benchtime T       -test.benchtime for --bench: Nx (N iterations) or a duration (1s)
  --run REGEXP        run only the tests matching REGEXP (implies --test; with --bench the
                      default is none, as go test's)
  --make              list every make(...) call, including those that allocate nothing
  --baseline FILE     compare with a saved report (an earlier --json): a DELTA column per
                      line (+3, −1,000) and in the totals; --json adds "comparison"
  --engine NAME       fast (default: the runtime's own profile) or breakpoints (a stop
                      per allocation: slower, and what --line uses)
  --fast              the same as --engine fast
  --dlv PATH          the Delve to use (default: MALLOCLENS_DLV, PATH, GOBIN, GOPATH/bin)

other commands:
  malloclens show [--json] [-o FILE] [--inuse] [--root DIR] [--top N] [--filter P] PROFILE
                      a Go heap or allocs profile (go test -memprofile, /debug/pprof/heap or
                      /debug/pprof/allocs; gzipped or not) as the per-line table: sampled
                      estimates, marked ≈; --inuse for what was still live; --root the
                      program's module (default: the current directory's)
  malloclens dap [--listen=127.0.0.1:PORT] [--log] [-- dlv flags]
                      a drop-in for \`dlv dap\` that counts: DAP on stdio, or on a loopback port
  malloclens lsp      a language server on stdio: "count mallocs" lenses, hovers, inlay hints
  malloclens version  print versions
  malloclens help     print this text`;

function needValue(argv: string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value`);
  return v;
}

/** One command-line word as a flag: its name, and its value (inline `--flag=v` or the next word). */
interface FlagWord {
  word: string;
  flag: string;
  value: () => string;
  noValue: () => true;
}

/**
 * Walks `rest` word by word, handing each to `onWord` as a flag, until `--` (whose remainder it
 * returns: the program's arguments).
 */
function walkFlags(rest: string[], onWord: (w: FlagWord) => void): string[] {
  for (let i = 0; i < rest.length; i++) {
    const word = rest[i];
    if (word === '--') return rest.slice(i + 1);
    const [flag, inline] = word.startsWith('--') && word.includes('=') ? [word.slice(0, word.indexOf('=')), word.slice(word.indexOf('=') + 1)] : [word, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      const v = needValue(rest, i, flag);
      i += 1;
      return v;
    };
    const noValue = (): true => {
      if (inline !== undefined) throw new UsageError(`${flag} takes no value`);
      return true;
    };
    onWord({ word, flag, value, noValue });
  }
  return [];
}

export function parseLineSpec(spec: string): { file: string; line: number } {
  const m = /^(.+):(\d+)$/.exec(spec);
  if (!m || Number(m[2]) < 1) throw new UsageError(`--line wants FILE:LINE, got ${JSON.stringify(spec)}`);
  return { file: m[1], line: Number(m[2]) };
}

function positiveInteger(flag: string, v: string): number {
  if (!/^\d+$/.test(v) || Number(v) < 1) throw new UsageError(`${flag} wants a positive whole number, got ${JSON.stringify(v)}`);
  return Number(v);
}

/** Go's -test.benchtime: `100x` or a time.Duration such as `1s`, `500ms`, `1m30s`. */
function benchtime(v: string): string {
  if (isBenchtime(v)) return v;
  throw new UsageError(`--benchtime wants Nx (a number of iterations, such as 100x) or a duration (such as 1s), got ${JSON.stringify(v)}`);
}

export function parseArgs(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'version' || command === '--version') return { command: 'version' };
  if (command === 'dap') return parseDapArgs(rest);
  if (command === 'show') return parseShowArgs(rest);
  if (command === 'lsp') {
    // What LSP clients (vscode-languageclient among them) append: --stdio (the only transport here)
    // and --clientProcessId (vscode-languageserver then exits when that process is gone).
    const unknown = rest.filter((a, i) => a !== '--stdio' && !a.startsWith('--clientProcessId=') && a !== '--clientProcessId' && rest[i - 1] !== '--clientProcessId');
    if (unknown.length > 0) throw new UsageError(`malloclens lsp speaks LSP on stdio and takes no ${unknown.length > 1 ? 'arguments' : 'argument'}: ${unknown.join(' ')}`);
    return { command: 'lsp' };
  }
  if (command !== 'count') throw new UsageError(`unknown command ${JSON.stringify(command)}`);

  const args: CountArgs = { command: 'count', json: false, optimized: false, test: false, makeRows: false, target: '', programArgs: [] };
  const positional: string[] = [];
  let help = false;
  args.programArgs = walkFlags(rest, ({ word: a, flag, value, noValue }) => {
    switch (flag) {
      case '--json': args.json = noValue(); break;
      case '-o': case '--output': args.output = value(); break;
      case '--line': args.line = parseLineSpec(value()); break;
      case '--optimized': args.optimized = noValue(); break;
      case '--test': args.test = noValue(); break;
      case '--make': args.makeRows = noValue(); break;
      case '--fast': noValue(); args.engine = 'fast'; break;
      case '--engine': {
        const name = value();
        if (!isEngineName(name)) throw new UsageError(`--engine wants ${ENGINES.join(' or ')}, got ${JSON.stringify(name)}`);
        args.engine = name;
        break;
      }
      case '--dlv': args.dlv = value(); break;
      case '--top': args.top = positiveInteger(flag, value()); break;
      case '--bench': args.bench = value(); args.test = true; break;
      case '--benchtime': args.benchtime = benchtime(value()); break;
      case '--run': args.run = value(); args.test = true; break;
      case '--filter': args.filter = value(); break;
      case '--pprof': args.pprof = value(); break;
      case '--baseline': args.baseline = value(); break;
      case '-h': case '--help': help = true; break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown flag ${a}`);
        positional.push(a);
    }
  });
  if (help) return { command: 'help' };
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'missing target (a package directory or .go file)' : `one target expected, got ${positional.join(' ')}`);
  args.target = positional[0];
  if (args.json && (args.top !== undefined || args.filter !== undefined)) throw new UsageError('--top and --filter cut the table; the JSON report is always whole (filter it with jq)');
  if (args.benchtime !== undefined && args.bench === undefined) throw new UsageError('--benchtime needs --bench');
  if (args.bench !== undefined && args.line) throw new UsageError('--bench counts whole benchmark runs; it cannot be combined with --line');
  if (args.baseline !== undefined && args.makeRows) throw new UsageError('--baseline compares line counts; it does not combine with --make');
  if (args.engine === 'fast' && args.line) throw new UsageError('fast mode counts the whole run; --line needs the breakpoint engine');
  return args;
}

function parseShowArgs(rest: string[]): ShowArgs {
  const args: ShowArgs = { command: 'show', profile: '', json: false, inuse: false };
  const positional: string[] = [];
  const after = walkFlags(rest, ({ word: a, flag, value, noValue }) => {
    switch (flag) {
      case '--json': args.json = noValue(); break;
      case '-o': case '--output': args.output = value(); break;
      case '--inuse': args.inuse = noValue(); break;
      case '--root': args.root = value(); break;
      case '--top': args.top = positiveInteger(flag, value()); break;
      case '--filter': args.filter = value(); break;
      default:
        if (a.startsWith('-')) throw new UsageError(`unknown flag ${a}`);
        positional.push(a);
    }
  });
  positional.push(...after);
  if (positional.length !== 1) throw new UsageError(positional.length === 0 ? 'show: missing PROFILE (a heap or allocs profile file)' : `show: one profile expected, got ${positional.join(' ')}`);
  args.profile = positional[0];
  if (args.json && (args.top !== undefined || args.filter !== undefined)) throw new UsageError('--top and --filter cut the table; the JSON report is always whole (filter it with jq)');
  return args;
}
