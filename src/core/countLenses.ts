/**
 * The lenses of a Go file, as data: "count mallocs" above each statement with a make(...) call,
 * "count one call" above each function, and in a _test.go file "count allocs/op" above each
 * benchmark and "count mallocs" above each test (instead of "count one call": go test runs them
 * by name); where a `make(` does not parse, a lens that says why
 * there is nothing to count instead of vanishing. After a count the lens carries the result with
 * its scope. Pure, so that the language server (src/lsp) and every editor behind it show the same.
 *
 * A new kind of lens is one more entry in COUNTABLE_KINDS: a function from the file's outline to
 * the things it can count ({line, endLine, action, what}); the lens, its result and its command
 * arguments follow from that.
 */
import { formatScopedAmount } from './amountText';
import type { GoOutline, MakeCall, TestFunction } from './goSource';
import type { MallocReport } from './report';
import { describeBuild } from './reportText';

/** A benchmark or test function, counted as go test runs it by name. */
export interface TestTarget {
  name: string;
  kind: TestFunction['kind'];
}

/** Something a lens counts: a statement, one call of a function, a benchmark per op, a test's run. */
export interface Countable {
  line: number;
  /** 1-based column the lens stands at. */
  column: number;
  endLine: number;
  /** The lens's own words: `count mallocs`, `count one call`, `count allocs/op`. */
  action: string;
  /** What runs, for the tooltip and the tree: `make([]int, 3)`, `label()`, `BenchmarkX`. */
  what: string;
  /** What clicking does, before anything is counted. */
  tooltip: string;
  /** A benchmark or test function: it runs through go test's own selection, not to a line. */
  test?: TestTarget;
}

/** What a lens's command counts: the arguments of COUNT_STATEMENT_COMMAND after the file's URI. */
export interface CountTarget {
  line: number;
  endLine: number;
  what: string;
  action: string;
  /** After `action`: a benchmark's or test's own run. */
  test?: TestTarget;
}

export interface CountLens {
  line: number;
  column: number;
  title: string;
  tooltip: string;
  /** Absent: the lens only says something (unavailable, counting). */
  target?: CountTarget;
}

export const COUNT_STATEMENT_COMMAND = 'malloclens.countStatement';
export const COUNT_RUN_COMMAND = 'malloclens.countRun';

export const ONE_CALL = 'count one call';
export const COUNT_MALLOCS = 'count mallocs';
/** The lens above `func BenchmarkX(b *testing.B)`. */
export const COUNT_PER_OP = 'count allocs/op';
/** The lens above `func TestX(t *testing.T)`: the test's whole run. */
export const COUNT_TEST = 'count mallocs';

/** One lens per statement, at its first make(...) call. */
export function statementsWithMake(calls: MakeCall[]): MakeCall[] {
  const first = new Map<number, MakeCall>();
  for (const call of calls) if (!first.has(call.statement.line)) first.set(call.statement.line, call);
  return [...first.values()];
}

/** The kinds of lens, each a list of what it can count in a file. */
export const COUNTABLE_KINDS: ((outline: GoOutline) => Countable[])[] = [
  (outline) => outline.functions.filter((f) => !outline.testFunctions.some((t) => t.line === f.line)).map((f) => ({
    line: f.line, column: 1, endLine: f.endLine, action: ONE_CALL, what: `${f.name}()`,
    tooltip: `Run the program to ${f.name}() under Delve and count the heap allocations of its first call, callees included, until it returns`,
  })),
  (outline) => statementsWithMake(outline.makeCalls).filter((c) => c.inFunction).map((c) => ({
    line: c.line, column: c.column, endLine: c.statement.endLine, action: COUNT_MALLOCS, what: c.text,
    tooltip: `Run to this statement under Delve and count the heap allocations of its first execution (${c.text})`,
  })),
  (outline) => outline.testFunctions.map((t) => ({
    line: t.line, column: 1, endLine: t.endLine, action: t.kind === 'benchmark' ? COUNT_PER_OP : COUNT_TEST, what: t.name,
    test: { name: t.name, kind: t.kind },
    tooltip: t.kind === 'benchmark'
      ? `Run ${t.name} (go test -bench) under Delve and count the heap allocations of its timed runs, per op and per line, as -benchmem measures them`
      : `Run ${t.name} alone (go test -run) under Delve and count every heap allocation of the run, per line`,
  })),
];

export interface LensInput {
  outline: GoOutline;
  /** The text of a 1-based line, undefined past the end. */
  lineText: (line: number) => string | undefined;
  /** A finished count of the statement (or function) starting at `line`. */
  result: (line: number) => MallocReport | undefined;
  counting: (line: number) => boolean;
  /** Put before "counting…" (VS Code: `$(loading~spin) `). */
  spinner?: string;
}

/** `count mallocs · first run: 3 allocs · 40.1 KiB`, `count mallocs · not reached`. */
export function resultTitle(action: string, report: MallocReport): string {
  const outcome = report.statement && !report.statement.reached ? 'not reached' : formatScopedAmount(report.total, 'line');
  return `${action} · ${outcome}`;
}

/** `count allocs/op · 3 allocs/op · 96 B/op`, `count mallocs · run: 12 allocs · 1 KiB`, `count allocs/op · did not run`. */
export function testResultTitle(action: string, test: TestTarget, report: MallocReport): string {
  const ran = test.kind !== 'benchmark' || report.scope === 'op';
  return `${action} · ${ran ? formatScopedAmount(report.total, report.scope) : 'did not run'}`;
}

function lensOf(c: Countable, input: LensInput): CountLens {
  const target: CountTarget = { line: c.line, endLine: c.endLine, what: c.what, action: c.action, ...(c.test ? { test: c.test } : {}) };
  if (input.counting(c.line)) {
    return { line: c.line, column: c.column, title: `${input.spinner ?? ''}${c.action}: counting…`, tooltip: c.test ? `malloclens is running ${c.test.name}` : 'malloclens is running the program to this statement' };
  }
  const report = input.result(c.line);
  if (!report) return { line: c.line, column: c.column, title: c.action, tooltip: c.tooltip, target };
  if (c.test) return { line: c.line, column: c.column, title: testResultTitle(c.action, c.test, report), tooltip: `${c.tooltip}. Counted by malloclens (${describeBuild(report)}). Click to count again.`, target };
  return { line: c.line, column: c.column, title: resultTitle(c.action, report), tooltip: `First execution, counted by malloclens (${describeBuild(report)}). Click to count again.`, target };
}

export function countLenses(input: LensInput): CountLens[] {
  const { outline } = input;
  const broken = outline.syntaxErrors;
  const lenses: CountLens[] = [];
  for (const kind of COUNTABLE_KINDS) {
    for (const c of kind(outline)) {
      const error = c.action === COUNT_MALLOCS && !c.test && broken.find((e) => e.line >= c.line && e.line <= c.endLine);
      lenses.push(error ? unparsable(error.line, c.column) : lensOf(c, input));
    }
  }
  const withLens = new Set<number>();
  for (const call of statementsWithMake(outline.makeCalls)) {
    withLens.add(call.line);
    if (!call.inFunction) lenses.push(packageLevel(call.line, call.column));
  }
  // A `make(` the parser could not read as a call would have no lens at all: say why instead.
  for (const error of broken) {
    if (withLens.has(error.line)) continue;
    const text = input.lineText(error.line);
    const column = text?.search(/\bmake\s*\(/) ?? -1;
    if (column >= 0) lenses.push(unparsable(error.line, column + 1));
  }
  return lenses.sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Package-level initializers run inside the runtime's package initialization, which a run charges to "package init". */
function packageLevel(line: number, column: number): CountLens {
  return {
    line, column,
    title: 'count mallocs: unavailable — package-level, runs in package init',
    tooltip: 'A package-level variable is initialised before main by the runtime; a debug run under malloclens counts it under "package init".',
  };
}

function unparsable(line: number, column: number): CountLens {
  return {
    line, column,
    title: `count mallocs: unavailable — line ${line} does not parse`,
    tooltip: 'malloclens finds what to count with a Go parser, and this statement has a syntax error; fix it and the lens comes back.',
  };
}

/**
 * `main.go:17 · make(map[string]int)`, `main.go:10 · label() · one call`, `x_test.go:9 · BenchmarkX · per op`:
 * short, since the tree cuts long labels and the amount and state come after it (the icon says it is a count).
 */
export function countLabel(where: string, target: { what?: string; action?: string; test?: TestTarget }): string {
  if (target.test) return `${where} · ${target.test.name}${target.test.kind === 'benchmark' ? ' · per op' : ''}`;
  const one = target.action === ONE_CALL ? ' · one call' : '';
  return target.what ? `${where} · ${target.what}${one}` : `${where}${one}`;
}

export function statementSourceId(file: string, line: number): string {
  return `statement:${file}:${line}`;
}
