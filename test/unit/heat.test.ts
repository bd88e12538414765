import * as assert from 'node:assert/strict';
import { HEAT_THRESHOLDS, heatLevel, passesMinimumShare, shareOf } from '../../src/core/heat';

const total = { count: 1000, bytes: 1_000_000 };
const line = (count: number) => ({ count, bytes: count * 16 });

describe('heat', () => {
  it('is the share of the run\'s allocation count, not of its bytes', () => {
    assert.equal(shareOf({ count: 50, bytes: 999_999 }, total), 0.05);
    assert.equal(shareOf(line(1), { count: 0, bytes: 0 }), 0);
  });

  it('puts lines into levels at the documented thresholds', () => {
    assert.equal(heatLevel(line(0), total), 0);
    assert.equal(heatLevel(line(1), total), 1);
    assert.equal(heatLevel(line(9), total), 1);
    assert.equal(heatLevel(line(HEAT_THRESHOLDS.medium * 1000), total), 2);
    assert.equal(heatLevel(line(49), total), 2);
    assert.equal(heatLevel(line(HEAT_THRESHOLDS.high * 1000), total), 3);
    assert.equal(heatLevel(line(249), total), 3);
    assert.equal(heatLevel(line(HEAT_THRESHOLDS.top * 1000), total), 4);
    assert.equal(heatLevel(line(1000), total), 4);
  });

  describe('passesMinimumShare', () => {
    it('hides run lines below the minimum percentage and keeps those at or above it', () => {
      assert.equal(passesMinimumShare(line(4), total, 0.5, 'run'), false);
      assert.equal(passesMinimumShare(line(5), total, 0.5, 'run'), true);
      assert.equal(passesMinimumShare(line(1), total, 0, 'run'), true);
    });

    it('never hides a statement count or a zero, which are answers rather than noise', () => {
      assert.equal(passesMinimumShare(line(1), total, 50, 'line'), true);
      assert.equal(passesMinimumShare(line(0), total, 50, 'run'), true);
    });
  });
});
