import * as assert from 'node:assert/strict';
import { BreakpointIds } from '../../src/dap/breakpointIds';

describe('BreakpointIds', () => {
  it('numbers the client\'s breakpoints 1, 2, 3 in the order Delve created them, skipping hidden ones', () => {
    const ids = new BreakpointIds();
    // Delve gave the hidden breakpoints 1-4; the client's came later as 5, 7 and 9.
    const response = [{ id: 9 }, { id: 5 }, { id: 7 }];
    ids.rewriteAll(response);
    assert.deepEqual(response.map((b) => b.id), [3, 1, 2]);
  });

  it('keeps an ID stable across requests and maps back', () => {
    const ids = new BreakpointIds();
    ids.rewriteAll([{ id: 12 }]);
    const again = [{ id: 20 }, { id: 12 }];
    ids.rewriteAll(again);
    assert.deepEqual(again.map((b) => b.id), [2, 1]);
    assert.equal(ids.delveId(2), 20);
    assert.equal(ids.clientId(12), 1);
  });

  it('counts a breakpoint Delve refused for standing where another does: Delve numbered it first', () => {
    const ids = new BreakpointIds();
    const first = [{ id: 11 }, { verified: false, message: 'Breakpoint exists at /p/main.go:20 at 4bf56a' }, { id: 12 }];
    ids.rewriteAll(first);
    assert.deepEqual(first.map((b) => b.id), [1, undefined, 3]);
    const later = [{ id: 14 }];
    ids.rewriteAll(later);
    assert.deepEqual(later.map((b) => b.id), [4]);
    const notFound = [{ verified: false, message: 'could not find function main.nosuch' }, { id: 15 }];
    ids.rewriteAll(notFound);
    assert.deepEqual(notFound.map((b) => b.id), [undefined, 5], 'a name Delve cannot find takes no number');
  });

  it('leaves breakpoints without an ID (unverified) alone', () => {
    const ids = new BreakpointIds();
    const response: { id?: number }[] = [{}, { id: 3 }];
    ids.rewriteAll(response);
    assert.deepEqual(response, [{}, { id: 1 }]);
  });
});
