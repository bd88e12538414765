import * as assert from 'node:assert/strict';
import { remoteAddress } from '../../src/dap/remoteDelve';
import { programBinary } from '../../src/dap/fast/programBinary';

describe('remote attach arguments', () => {
  it('reads host and port of a remote attach only', () => {
    assert.deepEqual(remoteAddress('attach', { mode: 'remote', port: 2345 }), { host: '127.0.0.1', port: 2345 });
    assert.deepEqual(remoteAddress('attach', { mode: 'remote', host: 'localhost', port: '40000' }), { host: 'localhost', port: 40000 });
    assert.equal(remoteAddress('attach', { mode: 'local', processId: 12 }), undefined);
    assert.equal(remoteAddress('launch', { mode: 'remote', port: 2345 }), undefined);
    assert.throws(() => remoteAddress('attach', { mode: 'remote' }), /needs the "port"/);
  });

  it('says what fast mode needs when the remote executable is not on this machine', () => {
    assert.throws(() => programBinary({ remote: true }), /malloclens: \{ binary:/);
    assert.throws(() => programBinary({ explicit: '/nonexistent/app' }), /does not exist/);
  });
});
