import type { DebugProtocol as P } from '@vscode/debugprotocol';
import * as assert from 'node:assert/strict';
import { CountArgs, parseArgs, UsageError } from '../../src/cli/args';
import { BreakpointEngine } from '../../src/dap/breakpointEngine';
import { onSystemStack, parseAddress } from '../../src/dap/fast/caughtStops';
import { FastEngine } from '../../src/dap/fast/fastEngine';
import { LivePauses } from '../../src/dap/livePauses';
import { delveFunctionName, toStackFrame } from '../../src/dap/fast/symbolizer';
import { memoryConnectionPair } from '../../src/dap/memoryConnection';
import { DapProxy } from '../../src/dap/proxy';
import { createAllocationSession } from '../../src/dap/sessionChoice';
import { chooseEngine, EngineChoiceError, engineRequested } from '../../src/core/engineChoice';

const options = { roots: { include: ['/p'], exclude: [] }, delveVersion: '1.27.2', buildFlags: '' };

/** A proxy whose two sides lead nowhere: enough to construct sessions. */
function proxy(): DapProxy {
  const [clientSide] = memoryConnectionPair();
  const [delveSide] = memoryConnectionPair();
  return new DapProxy(clientSide, delveSide);
}

const stopped = (threadId?: number): P.StoppedEvent => ({ seq: 1, type: 'event', event: 'stopped', body: { reason: 'instruction breakpoint', ...(threadId === undefined ? {} : { threadId }) } });

describe('fast mode: choosing it', () => {
  it('is the default for whole runs; --engine breakpoints asks for the other; --line needs breakpoints', () => {
    const engineOf = (argv: string[]) => (parseArgs(argv) as CountArgs).engine;
    assert.equal(engineOf(['count', '--fast', '.']), 'fast');
    assert.equal(engineOf(['count', '--engine', 'breakpoints', '.']), 'breakpoints');
    assert.equal(engineOf(['count', '--engine=fast', '.']), 'fast');
    assert.equal(engineOf(['count', '.']), undefined, 'nothing asked');
    assert.equal(chooseEngine(undefined, false), 'fast', 'a whole run defaults to fast mode');
    assert.equal(chooseEngine(undefined, true), 'breakpoints', 'one statement needs a stop per allocation');
    assert.equal(chooseEngine('breakpoints', false), 'breakpoints');
    assert.throws(() => chooseEngine('fast', true), EngineChoiceError);
    assert.throws(() => parseArgs(['count', '--fast', '--line', 'main.go:3', '.']), UsageError);
    assert.throws(() => parseArgs(['count', '--fast=yes', '.']), /takes no value/);
    assert.throws(() => parseArgs(['count', '--engine', 'quick', '.']), /--engine wants fast or breakpoints/);
  });

  it('is asked for among launch arguments: malloclens: { engine } (or the older fast: true)', () => {
    assert.equal(engineRequested({ program: '.', malloclens: { engine: 'breakpoints' } }), 'breakpoints');
    assert.equal(engineRequested({ program: '.', malloclens: { engine: 'fast' } }), 'fast');
    assert.equal(engineRequested({ program: '.', malloclens: { fast: true } }), 'fast');
    assert.equal(engineRequested({ program: '.', malloclens: { fast: 'yes' } }), undefined);
    assert.equal(engineRequested({ program: '.' }), undefined);
    assert.equal(engineRequested(undefined), undefined);
    assert.throws(() => engineRequested({ malloclens: { engine: 'quick' } }), /must be "fast" or "breakpoints"/);
  });

  it('creates the engine asked for, and says why fast mode cannot count one statement', () => {
    assert.ok(createAllocationSession(proxy(), options).engine instanceof BreakpointEngine);
    assert.ok(createAllocationSession(proxy(), { ...options, fast: true }).engine instanceof FastEngine);
    assert.throws(() => createAllocationSession(proxy(), { ...options, fast: true, line: { file: '/p/main.go', line: 3 } }), /line scope/);
  });
});

describe('fast mode: names and stops', () => {
  it('names functions as Delve does, cutting the package path at its last slash', () => {
    assert.equal(delveFunctionName('internal/runtime/maps.NewMap'), 'maps.NewMap');
    assert.equal(delveFunctionName('encoding/json.(*encodeState).marshal'), 'json.(*encodeState).marshal');
    assert.equal(delveFunctionName('main.main'), 'main.main');
    assert.equal(delveFunctionName('slices.Sort[go.shape.[]uint8]'), 'slices.Sort[go.shape.[]uint8]', 'a slash inside type arguments is not a package path');
    assert.equal(delveFunctionName('example.com/m/pkg.F[example.com/m/t.T]'), 'pkg.F[example.com/m/t.T]');
    assert.deepEqual(toStackFrame({ pc: '0x1', function: '???', file: '', line: 0 }), { name: '???' });
    assert.deepEqual(toStackFrame({ pc: '0x1', function: 'main.f', file: '/p/main.go', line: 7 }), { name: 'main.f', path: '/p/main.go', line: 7 });
  });

  it('tells a stop on the system stack: no goroutine, or a stack switch in the frames', () => {
    assert.equal(onSystemStack(stopped(), [{ name: 'runtime.malg' }]), true);
    assert.equal(onSystemStack(stopped(7), [{ name: 'runtime.malg' }, { name: 'runtime.systemstack_switch' }, { name: 'main.main' }]), true);
    assert.equal(onSystemStack(stopped(7), [{ name: 'runtime.malg' }, { name: 'runtime.allocm' }, { name: 'runtime.LockOSThread' }, { name: 'main.main' }]), false);
    assert.equal(parseAddress('0x45e065'), 0x45e065n);
    assert.equal(parseAddress('main.go:3'), undefined);
    assert.equal(parseAddress(undefined), undefined);
  });
});

describe('fast mode: readings while the program runs', () => {
  const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('reads no more often than the interval, only when allowed, never two at once', async () => {
    let allowed = false;
    let running = 0;
    let most = 0;
    const starts: number[] = [];
    const live = new LivePauses(120, () => allowed, async () => {
      running += 1;
      most = Math.max(most, running);
      starts.push(Date.now());
      await wait(60);
      running -= 1;
    });
    live.start();
    try {
      await wait(200);
      assert.equal(starts.length, 0, 'not while the session forbids it');
      allowed = true;
      await wait(700);
    } finally {
      live.stop();
    }
    assert.ok(starts.length >= 2, `${starts.length} readings`);
    assert.equal(most, 1);
    for (let i = 1; i < starts.length; i++) assert.ok(starts[i] - starts[i - 1] >= 120 + 60 - 5, 'a full interval after the last reading ended');
  });

  it('never reads while running when the interval is 0', async () => {
    let calls = 0;
    const live = new LivePauses(0, () => true, async () => {
      calls += 1;
    });
    live.start();
    await wait(150);
    live.stop();
    assert.equal(calls, 0);
  });
});
