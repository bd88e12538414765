/**
 * `malloclens count --fast` as a command: the program's end (os.Exit, an unrecovered panic) still
 * passes the exit breakpoint where the profile is read, so its counts survive and agree with the
 * breakpoint engine's; the exit status is the program's; a flag fast mode cannot honour is refused.
 */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { MallocReport } from '../../src/core/report';
import { FIXTURES, runCli, waitForNoLeftovers } from './helpers';

const fixture = (name: string) => path.join(FIXTURES, name);

function userLines(report: MallocReport): [number, number][] {
  return report.lines.map((l): [number, number] => [l.line, l.count]).sort((a, b) => a[0] - b[0]);
}

describe('malloclens count --fast (CLI)', function () {
  this.timeout(120_000);

  afterEach(async () => {
    assert.deepEqual(await waitForNoLeftovers(), [], 'no dlv, debuggee or symbolizer process is left behind');
  });

  for (const { name, status } of [{ name: 'exits', status: 3 }, { name: 'panics', status: 2 }]) {
    it(`keeps the counts of a program that ends in ${name === 'exits' ? 'os.Exit' : 'a panic'}, as the breakpoint engine counts them, with its status`, async () => {
      const [fast, breakpoints] = await Promise.all([['--fast'], ['--engine', 'breakpoints']].map(async (flags) => {
        const r = await runCli(['count', '--json', ...flags, fixture(name)]);
        assert.equal(r.code, status, r.stderr);
        return JSON.parse(r.stdout) as MallocReport;
      }));
      assert.equal(fast.program?.exitCode, status);
      assert.ok(fast.lines.length > 0);
      assert.deepEqual(userLines(fast), userLines(breakpoints));
      if (name === 'panics') assert.match(fast.program?.error ?? '', /assignment to entry in nil map/);
    });
  }

  it('refuses --line with --fast (one statement needs the breakpoint engine)', async () => {
    const r = await runCli(['count', '--fast', '--line', 'main.go:9', fixture('exits')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^malloclens: fast mode counts the whole run; --line needs the breakpoint engine/);
  });
});
