/**
 * Go source scanning with tree-sitter-go (through web-tree-sitter): where the `make(...)` calls
 * are, and which lines the statement around a line spans. A real parser, so that `make(` inside
 * strings and comments is not a call and multi-line calls are one call.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { Language, Node, Parser } from 'web-tree-sitter';

export type MadeKind = 'map' | 'slice' | 'chan' | 'other';

export interface MakeCall {
  /** 1-based line of `make`. */
  line: number;
  column: number;
  endLine: number;
  /** The call as written, whitespace collapsed: `make(map[int]int, 1000)`. */
  text: string;
  kind: MadeKind;
  /** Lines of the enclosing statement (what "count this statement" steps over). */
  statement: { line: number; endLine: number };
  /** False for a package-level `var x = make(…)`: it runs in package initialization, not as a statement of a function. */
  inFunction: boolean;
}

export interface StatementSpan {
  line: number;
  endLine: number;
}

/** A function or method declaration: `func label(…) {` to its closing brace. */
export interface FunctionSpan extends StatementSpan {
  name: string;
}

/** `func BenchmarkX(b *testing.B)` or `func TestX(t *testing.T)`: what go test runs by name. */
export interface TestFunction extends FunctionSpan {
  kind: 'benchmark' | 'test';
}

const TEST_PREFIXES = [{ prefix: 'Benchmark', kind: 'benchmark', param: 'B' }, { prefix: 'Test', kind: 'test', param: 'T' }] as const;

/** go test's rule: the prefix alone, or followed by anything but a lower-case letter (`Testify` is no test). */
function testKind(name: string, paramType: string): TestFunction['kind'] | undefined {
  for (const { prefix, kind, param } of TEST_PREFIXES) {
    if (!name.startsWith(prefix) || /^\p{Ll}/u.test(name.slice(prefix.length))) continue;
    if (paramType.replace(/\s+/g, '') === `*testing.${param}`) return kind;
  }
  return undefined;
}

/** What the lenses and the hover need to know of a Go file. */
export interface GoOutline {
  makeCalls: MakeCall[];
  functions: FunctionSpan[];
  /** In a _test.go file: its benchmarks and tests. */
  testFunctions: TestFunction[];
  syntaxErrors: { line: number; column: number; text: string }[];
}

/** Where the .wasm files are: next to the bundle in dist/, or in node_modules during development. */
function wasmPath(file: string, packageFile: () => string): string {
  const besideBundle = path.join(__dirname, file);
  if (existsSync(besideBundle)) return besideBundle;
  return packageFile();
}

let loading: Promise<GoParser> | undefined;

export function loadGoParser(): Promise<GoParser> {
  loading ??= (async () => {
    const runtimeWasm = wasmPath('tree-sitter.wasm', () => path.join(path.dirname(require.resolve('web-tree-sitter')), 'tree-sitter.wasm'));
    await Parser.init({ locateFile: () => runtimeWasm });
    const language = await Language.load(wasmPath('tree-sitter-go.wasm', () => require.resolve('tree-sitter-go/tree-sitter-go.wasm')));
    return new GoParser(language);
  })();
  return loading;
}

const KIND_BY_NODE: Record<string, MadeKind> = { map_type: 'map', slice_type: 'slice', channel_type: 'chan' };

export class GoParser {
  private readonly parser: Parser;

  constructor(language: Language) {
    this.parser = new Parser();
    this.parser.setLanguage(language);
  }

  private parse(source: string): Node {
    const tree = this.parser.parse(source);
    if (!tree) throw new Error('tree-sitter could not parse the source');
    return tree.rootNode;
  }

  /** `file`: the file's name or path; only a _test.go file has benchmarks and tests. */
  outline(source: string, file = ''): GoOutline {
    return {
      makeCalls: this.findMakeCalls(source),
      functions: this.functions(source),
      testFunctions: file.endsWith('_test.go') ? this.testFunctions(source) : [],
      syntaxErrors: this.syntaxErrors(source),
    };
  }

  findMakeCalls(source: string): MakeCall[] {
    const calls: MakeCall[] = [];
    const visit = (node: Node) => {
      if (node.type === 'call_expression') {
        const fn = node.childForFieldName('function');
        if (fn?.type === 'identifier' && fn.text === 'make') {
          const firstArg = node.childForFieldName('arguments')?.namedChildren[0];
          const statement = enclosingStatement(node);
          calls.push({
            line: node.startPosition.row + 1,
            column: node.startPosition.column + 1,
            endLine: node.endPosition.row + 1,
            text: node.text.replace(/\s+/g, ' ').replace(/\(\s+/g, '(').replace(/\s+\)/g, ')'),
            kind: (firstArg && KIND_BY_NODE[firstArg.type]) ?? 'other',
            inFunction: statement !== undefined,
            statement: statement
              ? { line: statement.startPosition.row + 1, endLine: statement.endPosition.row + 1 }
              : { line: node.startPosition.row + 1, endLine: node.endPosition.row + 1 },
          });
        }
      }
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(this.parse(source));
    return calls;
  }

  /**
   * The lines that write into the map made on `line` (`m[k] = v`, `m[k] += 1`, `m[k]++`) within the
   * function that makes it: where a map made without room pays for its storage. The map is known
   * by the name it is assigned to (`tags := make(map…)`, `var tags = make(map…)`).
   */
  mapWritesOf(source: string, line: number): { name: string; lines: number[] } | undefined {
    const root = this.parse(source);
    const call = this.findMakeCallNodes(root).find((n) => n.startPosition.row + 1 === line);
    const statement = call && enclosingStatement(call);
    const name = statement && assignedName(statement);
    const scope = call && enclosingFunction(call);
    if (!name || !scope) return undefined;
    const lines = new Set<number>();
    const visit = (node: Node) => {
      if (node.type === 'assignment_statement' || node.type === 'inc_statement' || node.type === 'dec_statement') {
        const targets = node.type === 'assignment_statement' ? node.childForFieldName('left')?.namedChildren ?? [] : node.namedChildren.slice(0, 1);
        for (const t of targets) {
          if (t?.type === 'index_expression' && t.childForFieldName('operand')?.text === name) lines.add(node.startPosition.row + 1);
        }
      }
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(scope);
    return { name, lines: [...lines].sort((a, b) => a - b) };
  }

  private findMakeCallNodes(root: Node): Node[] {
    const out: Node[] = [];
    const visit = (node: Node) => {
      if (node.type === 'call_expression') {
        const fn = node.childForFieldName('function');
        if (fn?.type === 'identifier' && fn.text === 'make') out.push(node);
      }
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(root);
    return out;
  }

  /**
   * Where tree-sitter could not read the source (ERROR and MISSING nodes), one entry per line: a
   * `make(` left unclosed is no call to it, and the lens there must say why it is gone.
   */
  syntaxErrors(source: string): { line: number; column: number; text: string }[] {
    const byLine = new Map<number, { line: number; column: number; text: string }>();
    const visit = (node: Node) => {
      if (!node.hasError && !node.isMissing) return;
      if (node.type === 'ERROR' || node.isMissing) {
        const line = node.startPosition.row + 1;
        if (!byLine.has(line)) byLine.set(line, { line, column: node.startPosition.column + 1, text: node.isMissing ? `missing ${node.type}` : node.text.split('\n')[0].slice(0, 40) });
      }
      for (const child of node.children) if (child) visit(child);
    };
    visit(this.parse(source));
    return [...byLine.values()].sort((a, b) => a.line - b.line);
  }

  /**
   * Function and method declarations with a body, by their lines: counting from the `func` line to
   * the closing brace in line scope counts one call (callees included, until the frame returns).
   */
  functions(source: string): FunctionSpan[] {
    const out: FunctionSpan[] = [];
    for (const node of this.parse(source).namedChildren) {
      if (!node || (node.type !== 'function_declaration' && node.type !== 'method_declaration') || !node.childForFieldName('body')) continue;
      const name = node.childForFieldName('name')?.text ?? '';
      const receiver = node.type === 'method_declaration' ? node.childForFieldName('receiver')?.namedChildren[0]?.childForFieldName('type')?.text : undefined;
      out.push({ name: receiver ? `(${receiver}).${name}` : name, line: node.startPosition.row + 1, endLine: node.endPosition.row + 1 });
    }
    return out;
  }

  /**
   * The benchmarks and tests go test would run in a _test.go file: top-level functions named
   * BenchmarkX or TestX with the one parameter `*testing.B` or `*testing.T` (the usual import name).
   */
  testFunctions(source: string): TestFunction[] {
    const out: TestFunction[] = [];
    for (const node of this.parse(source).namedChildren) {
      if (node?.type !== 'function_declaration' || !node.childForFieldName('body') || node.childForFieldName('type_parameters')) continue;
      const params = (node.childForFieldName('parameters')?.namedChildren ?? []).filter((p) => p?.type === 'parameter_declaration');
      const names = params[0]?.childrenForFieldName('name') ?? [];
      if (params.length !== 1 || names.length > 1 || node.childForFieldName('result')) continue;
      const name = node.childForFieldName('name')?.text ?? '';
      const kind = testKind(name, params[0]?.childForFieldName('type')?.text ?? '');
      if (kind) out.push({ name, kind, line: node.startPosition.row + 1, endLine: node.endPosition.row + 1 });
    }
    return out;
  }

  /** The innermost statement that starts on `line` (1-based); failing that, the innermost containing it. */
  statementAt(source: string, line: number): StatementSpan | undefined {
    let starting: Node | undefined;
    let containing: Node | undefined;
    const visit = (node: Node) => {
      const start = node.startPosition.row + 1;
      const end = node.endPosition.row + 1;
      if (line < start || line > end) return;
      if (node.parent?.type === 'statement_list') {
        containing = node;
        if (start === line) starting = node;
      }
      for (const child of node.namedChildren) if (child) visit(child);
    };
    visit(this.parse(source));
    const best = starting ?? containing;
    return best ? { line: best.startPosition.row + 1, endLine: best.endPosition.row + 1 } : undefined;
  }
}

/** The node of the innermost function (declaration, method or literal) around `node`. */
function enclosingFunction(node: Node): Node | undefined {
  let current: Node | null = node.parent;
  while (current) {
    if (current.type === 'function_declaration' || current.type === 'method_declaration' || current.type === 'func_literal') return current;
    current = current.parent;
  }
  return undefined;
}

/** `tags` in `tags := make(…)`, `tags = make(…)` and `var tags = make(…)`: the one name assigned. */
function assignedName(statement: Node): string | undefined {
  if (statement.type === 'short_var_declaration' || statement.type === 'assignment_statement') {
    const left = statement.childForFieldName('left')?.namedChildren ?? [];
    return left.length === 1 && left[0]?.type === 'identifier' ? left[0].text : undefined;
  }
  if (statement.type === 'var_declaration') {
    const spec = statement.namedChildren.find((c) => c?.type === 'var_spec');
    const names = spec?.childrenForFieldName('name') ?? [];
    return names.length === 1 && names[0] ? names[0].text : undefined;
  }
  return undefined;
}

function enclosingStatement(node: Node): Node | undefined {
  let current: Node | null = node;
  while (current) {
    if (current.parent?.type === 'statement_list') return current;
    current = current.parent;
  }
  return undefined;
}
