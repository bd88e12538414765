import * as assert from 'node:assert/strict';
import { Throttle } from '../../src/core/throttle';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Throttle (live redraws)', () => {
  it('runs once for a burst of requests, then again for requests during the interval', async () => {
    let runs = 0;
    const t = new Throttle(() => runs++, 40);
    for (let i = 0; i < 10; i++) t.request();
    assert.equal(runs, 0, 'never synchronously');
    await sleep(10);
    assert.equal(runs, 1, 'the first request of a quiet period runs on the next turn');
    t.request();
    t.request();
    await sleep(10);
    assert.equal(runs, 1, 'requests within the interval wait');
    await sleep(60);
    assert.equal(runs, 2, 'and run once, after it: the last state is never missed');
    t.dispose();
  });

  it('flush runs a pending request at once, and nothing when none is pending', async () => {
    let runs = 0;
    const t = new Throttle(() => runs++, 1000);
    t.request();
    await sleep(5);
    t.request();
    t.flush();
    assert.equal(runs, 2);
    t.flush();
    assert.equal(runs, 2);
    t.dispose();
  });

  it('dispose drops a pending run', async () => {
    let runs = 0;
    const t = new Throttle(() => runs++, 5);
    t.request();
    t.dispose();
    await sleep(20);
    assert.equal(runs, 0);
  });
});
