import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { waitAtMost } from '../../src/dap/waitAtMost';

describe('waitAtMost', () => {
  it('gives the value when the promise settles first', async () => {
    assert.equal(await waitAtMost(Promise.resolve(7), 60_000), 7);
  });

  it('lets a process that is done exit at once, not when the time would have run out', () => {
    const script = `require(${JSON.stringify(require.resolve('../../src/dap/waitAtMost'))}).waitAtMost(Promise.resolve(), 600000).then(() => console.log('done'))`;
    const child = spawnSync(process.execPath, ['-e', script], { timeout: 20_000, encoding: 'utf8' });
    assert.equal(child.signal, null, 'the process was still alive 20 s later, held by the timer');
    assert.equal(child.stdout.trim(), 'done');
  });

  it('gives undefined when the time runs out first', async () => {
    assert.equal(await waitAtMost(new Promise<number>(() => {}), 5), undefined);
  });

  it('passes a rejection on', async () => {
    await assert.rejects(waitAtMost(Promise.reject(new Error('gone')), 60_000), /gone/);
  });
});
