import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { DebuggeeWatch } from '../../src/dap/debuggeeWatch';
import { ProcessState, processState } from '../../src/dap/processState';

describe('DebuggeeWatch', () => {
  function watchWith(states: ProcessState[], graceMs: number): { watch: DebuggeeWatch; deaths: (number | undefined)[]; tick: (ms: number) => void } {
    let now = 0;
    const deaths: (number | undefined)[] = [];
    const watch = new DebuggeeWatch(1, (code) => deaths.push(code), { graceMs, state: () => states.shift() ?? states[0] ?? { alive: true }, now: () => now });
    return { watch, deaths, tick: (ms) => { now += ms; watch.check(); } };
  }

  it('says nothing while the process lives', () => {
    const { deaths, tick } = watchWith([{ alive: true }, { alive: true }, { alive: true }], 1000);
    for (let i = 0; i < 3; i++) tick(1000);
    assert.deepEqual(deaths, []);
  });

  it('reports a death once the grace period has passed, once, with the status', () => {
    const dead: ProcessState = { alive: false, exitCode: -9 };
    const { deaths, tick } = watchWith([dead, dead, dead, dead], 1000);
    tick(500);
    tick(500);
    assert.deepEqual(deaths, [], 'not before the grace period');
    tick(500);
    tick(500);
    assert.deepEqual(deaths, [-9]);
  });

  it('starts the grace period over when the process is seen alive again', () => {
    const dead: ProcessState = { alive: false };
    const { deaths, tick } = watchWith([dead, { alive: true }, dead, dead, dead], 1000);
    for (let i = 0; i < 4; i++) tick(800);
    assert.deepEqual(deaths, [], 'dead for 800 ms since it was last seen alive');
    tick(800);
    assert.deepEqual(deaths, [undefined]);
  });
});

describe('processState', () => {
  it('reads a live process, then the zombie a SIGKILL leaves until its parent reaps it', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    const pid = child.pid!;
    assert.deepEqual(processState(pid), { alive: true });
    // Node reaps its children on SIGCHLD; stop it from doing so before the kill can be read.
    child.removeAllListeners();
    process.kill(pid, 'SIGKILL');
    let state = processState(pid);
    for (let i = 0; i < 50 && state.alive; i++) {
      await new Promise((r) => setTimeout(r, 20));
      state = processState(pid);
    }
    assert.equal(state.alive, false);
    if ('exitCode' in state && state.exitCode !== undefined) assert.equal(state.exitCode, -9);
  });
});
