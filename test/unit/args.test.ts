import * as assert from 'node:assert/strict';
import { CliArgs, CountArgs, parseArgs, parseLineSpec, testBinaryFlags, UsageError, USAGE } from '../../src/cli/args';

function count(argv: string[]): CountArgs {
  const parsed: CliArgs = parseArgs(['count', ...argv]);
  assert.equal(parsed.command, 'count');
  return parsed as CountArgs;
}

function usageError(argv: string[], pattern: RegExp): void {
  assert.throws(() => parseArgs(argv), (e: unknown) => {
    assert.ok(e instanceof UsageError, `expected UsageError, got ${e}`);
    assert.match(e.message, pattern);
    return true;
  });
}

describe('args', () => {
  describe('commands', () => {
    it('prints help with no arguments, "help", --help and -h', () => {
      for (const argv of [[], ['help'], ['--help'], ['-h']]) assert.deepEqual(parseArgs(argv), { command: 'help' }, JSON.stringify(argv));
    });

    it('prints versions with "version" and --version', () => {
      assert.deepEqual(parseArgs(['version']), { command: 'version' });
      assert.deepEqual(parseArgs(['--version']), { command: 'version' });
    });

    it('rejects an unknown command', () => {
      usageError(['counts', '.'], /unknown command "counts"/);
      usageError(['./pkg'], /unknown command/);
    });

    it('returns help for --help or -h anywhere after count', () => {
      assert.deepEqual(parseArgs(['count', '--help']), { command: 'help' });
      assert.deepEqual(parseArgs(['count', '--json', '-h', '.']), { command: 'help' });
    });

    it('documents every flag it accepts', () => {
      for (const flag of ['--json', '-o, --output', '--line', '--optimized', '--test', '--make', '--dlv', '--top', '--filter', '--bench', '--benchtime', '--run']) assert.ok(USAGE.includes(flag), flag);
    });

    it('says in --help where the program\'s stdout goes with --json', () => {
      assert.match(USAGE, /--json[^\n]*\n[^\n]*program's own stdout goes to standard error/);
    });
  });

  describe('count', () => {
    it('has the documented defaults', () => {
      assert.deepEqual(count(['./examples/experiment']), {
        command: 'count', json: false, optimized: false, test: false, makeRows: false, target: './examples/experiment', programArgs: [],
      });
    });

    it('parses every flag in the space-separated form', () => {
      const a = count(['--json', '-o', 'report.json', '--line', 'main.go:12', '--optimized', '--test', '--make', '--dlv', '/opt/dlv', './cmd/app']);
      assert.deepEqual(a, {
        command: 'count', json: true, output: 'report.json', line: { file: 'main.go', line: 12 }, optimized: true, test: true, makeRows: true,
        dlv: '/opt/dlv', target: './cmd/app', programArgs: [],
      });
    });

    it('parses --flag=value forms', () => {
      const a = count(['--output=out/r.json', '--line=pkg/a.go:7', '--dlv=/x/y/dlv', 'main.go']);
      assert.equal(a.output, 'out/r.json');
      assert.deepEqual(a.line, { file: 'pkg/a.go', line: 7 });
      assert.equal(a.dlv, '/x/y/dlv');
      assert.equal(a.target, 'main.go');
    });

    it('keeps everything after the first = in an inline value', () => {
      assert.equal(count(['--output=a=b.json', '.']).output, 'a=b.json');
    });

    it('accepts flags after the target', () => {
      const a = count(['.', '--json', '-o', 'x.json']);
      assert.equal(a.target, '.');
      assert.equal(a.json, true);
      assert.equal(a.output, 'x.json');
    });

    it('passes everything after -- to the program, flags included', () => {
      const a = count(['--json', '.', '--', '--json', '-v', 'input.txt', '--']);
      assert.equal(a.json, true);
      assert.equal(a.target, '.');
      assert.deepEqual(a.programArgs, ['--json', '-v', 'input.txt', '--']);
    });

    it('passes an empty list after a trailing --', () => {
      assert.deepEqual(count(['.', '--']).programArgs, []);
    });

    it('does not take a positional after -- as the target', () => {
      usageError(['count', '--', 'main.go'], /missing target/);
    });

    it('rejects unknown flags', () => {
      usageError(['count', '--bogus', '.'], /unknown flag --bogus/);
      usageError(['count', '-x', '.'], /unknown flag -x/);
      usageError(['count', '--jsonx', '.'], /unknown flag/);
    });

    it('rejects a missing target', () => {
      usageError(['count'], /missing target/);
      usageError(['count', '--json'], /missing target/);
    });

    it('rejects two targets', () => {
      usageError(['count', 'a', 'b'], /one target expected, got a b/);
    });

    it('rejects a value flag without its value', () => {
      usageError(['count', '.', '--output'], /--output needs a value/);
      usageError(['count', '.', '-o'], /-o needs a value/);
      usageError(['count', '--dlv', '--json', '.'], /--dlv needs a value/);
      usageError(['count', '.', '--line'], /--line needs a value/);
    });

    // A boolean flag given a value is a mistake, not a silent "on".
    it('does not read --json=false as --json', () => {
      assert.throws(() => parseArgs(['count', '--json=false', '.']), UsageError);
    });

    it('rejects a bad --line', () => {
      for (const spec of ['main.go', 'main.go:', 'main.go:0', 'main.go:-3', 'main.go:abc', ':12', 'main.go:1.5']) {
        usageError(['count', '--line', spec, '.'], /--line wants FILE:LINE/);
        usageError(['count', `--line=${spec}`, '.'], /--line wants FILE:LINE/);
      }
    });
  });

  describe('parseLineSpec', () => {
    it('splits at the last colon, so Windows drive letters survive', () => {
      assert.deepEqual(parseLineSpec('C:\\src\\app\\main.go:42'), { file: 'C:\\src\\app\\main.go', line: 42 });
      assert.deepEqual(parseLineSpec('/a:b/c.go:3'), { file: '/a:b/c.go', line: 3 });
    });

    it('accepts line 1 and large lines', () => {
      assert.deepEqual(parseLineSpec('x.go:1'), { file: 'x.go', line: 1 });
      assert.deepEqual(parseLineSpec('x.go:100000'), { file: 'x.go', line: 100000 });
    });
  });
  describe('--bench, --benchtime, --run', () => {
    it('imply --test and become the test binary\'s flags; --bench runs no tests unless --run says so', () => {
      const a = count(['--bench', 'Mux$', '--benchtime', '20x', '.']);
      assert.equal(a.test, true);
      assert.deepEqual(testBinaryFlags(a), ['-test.run=^$', '-test.bench=Mux$', '-test.benchtime=20x']);
      assert.deepEqual(testBinaryFlags(count(['--bench=.', '--run', 'TestA', '.'])), ['-test.run=TestA', '-test.bench=.']);
      const r = count(['--run', '^TestIndex$', '.']);
      assert.equal(r.test, true);
      assert.deepEqual(testBinaryFlags(r), ['-test.run=^TestIndex$']);
      assert.deepEqual(testBinaryFlags(count(['.'])), []);
      assert.equal(count(['--bench', '.', '--benchtime', '1m30s', '.']).benchtime, '1m30s');
    });

    it('refuses a malformed --benchtime, --benchtime alone, and --bench with --line', () => {
      usageError(['count', '--bench', '.', '--benchtime', '20', '.'], /--benchtime wants Nx/);
      usageError(['count', '--bench', '.', '--benchtime', '0x', '.'], /--benchtime wants Nx/);
      usageError(['count', '--benchtime', '20x', '.'], /--benchtime needs --bench/);
      usageError(['count', '--bench', '.', '--line', 'a_test.go:3', '.'], /cannot be combined with --line/);
    });
  });
});

describe('args: pprof', () => {
  it('takes --pprof FILE on count', () => {
    assert.equal((parseArgs(['count', '--pprof', 'out.pb.gz', '.']) as CountArgs).pprof, 'out.pb.gz');
    assert.equal((parseArgs(['count', '--pprof=out.pb.gz', '.']) as CountArgs).pprof, 'out.pb.gz');
    assert.throws(() => parseArgs(['count', '--pprof']), /--pprof needs a value/);
  });

  it('parses show PROFILE with its flags, and wants exactly one profile', () => {
    assert.deepEqual(parseArgs(['show', '--inuse', '--root', 'app', '--top', '5', 'heap.pb.gz']), { command: 'show', profile: 'heap.pb.gz', json: false, inuse: true, root: 'app', top: 5 });
    assert.throws(() => parseArgs(['show']), /missing PROFILE/);
    assert.throws(() => parseArgs(['show', 'a', 'b']), /one profile expected/);
    assert.throws(() => parseArgs(['show', '--json', '--top', '3', 'a']), /JSON report is always whole/);
    assert.match(USAGE, /malloclens show/);
  });
});

describe('malloclens lsp arguments', () => {
  it('takes what LSP clients append, and nothing else', () => {
    assert.deepEqual(parseArgs(['lsp']), { command: 'lsp' });
    assert.deepEqual(parseArgs(['lsp', '--stdio', '--clientProcessId=42']), { command: 'lsp' });
    assert.deepEqual(parseArgs(['lsp', '--clientProcessId', '42', '--stdio']), { command: 'lsp' });
    usageError(['lsp', '--socket=9000'], /takes no argument: --socket=9000/);
  });
});
