import * as assert from 'node:assert/strict';
import { describeAccounting, formatAmount, formatShare } from '../../src/core/amountText';

describe('amount text (inline counts, tree, lens)', () => {
  it('reads "N allocs · bytes" with the CLI\'s byte units', () => {
    assert.equal(formatAmount({ count: 3, bytes: 41062 }), '3 allocs · 40.1 KiB');
    assert.equal(formatAmount({ count: 5, bytes: 34896 }), '5 allocs · 34.1 KiB');
    assert.equal(formatAmount({ count: 1, bytes: 48 }), '1 alloc · 48 B');
    assert.equal(formatAmount({ count: 12345, bytes: 3 * 1024 * 1024 }), '12,345 allocs · 3.0 MiB');
  });

  it('says just "0 allocs" for a statement that allocated nothing', () => {
    assert.equal(formatAmount({ count: 0, bytes: 0 }), '0 allocs');
  });

  it('formats shares with the precision a reader needs', () => {
    assert.equal(formatShare(0), '0%');
    assert.equal(formatShare(0.0004), '<0.1%');
    assert.equal(formatShare(0.025), '2.5%');
    assert.equal(formatShare(0.03), '3%');
    assert.equal(formatShare(0.3402), '34%');
    assert.equal(formatShare(1), '100%');
  });
  it('says whether a finished run accounts for every allocation the runtime counted', () => {
    assert.equal(describeAccounting({ runtimeMallocs: 2_000_026, counted: 2_000_026, complete: true }), 'All 2,000,026 allocations the runtime counted are accounted for.');
    assert.equal(describeAccounting({ runtimeMallocs: 10, counted: 7, complete: false }), 'The runtime counted 10 allocations; the report accounts for 7.');
    assert.equal(describeAccounting({ delveHits: 3, skipped: 0, complete: true }), undefined, 'the breakpoint engine\'s check is Delve\'s, not the runtime\'s');
    assert.equal(describeAccounting(undefined), undefined);
  });
});
