import * as assert from 'node:assert/strict';
import { formatBytes, formatCount, plural } from '../../src/core/format';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const TiB = 1024 * GiB;

describe('format', () => {
  describe('formatBytes', () => {
    it('is exact below 1 KiB', () => {
      assert.equal(formatBytes(0), '0 B');
      assert.equal(formatBytes(1), '1 B');
      assert.equal(formatBytes(1023), '1023 B');
    });

    it('switches to KiB at 1024 with one decimal', () => {
      assert.equal(formatBytes(1024), '1.0 KiB');
      assert.equal(formatBytes(1536), '1.5 KiB');
      assert.equal(formatBytes(41062), '40.1 KiB');
      assert.equal(formatBytes(10 * KiB), '10.0 KiB');
    });

    it('switches to MiB at 1048576 and GiB at 2^30', () => {
      assert.equal(formatBytes(1048576), '1.0 MiB');
      assert.equal(formatBytes(1048576 + 512 * KiB), '1.5 MiB');
      assert.equal(formatBytes(GiB - MiB), '1023.0 MiB');
      assert.equal(formatBytes(GiB), '1.0 GiB');
      assert.equal(formatBytes(3 * GiB), '3.0 GiB');
    });

    it('stops at TiB', () => {
      assert.equal(formatBytes(TiB), '1.0 TiB');
      assert.equal(formatBytes(2048 * TiB), '2048.0 TiB');
    });

    it('stays in KiB just below 1 MiB', () => {
      assert.equal(formatBytes(MiB - 100 * KiB), '924.0 KiB');
    });

    // 1048575 / 1024 = 1023.999…, which rounds to 1024.0: it must be shown in the next unit.
    it('does not print 1024.0 of a unit (1048575 bytes)', () => {
      assert.notEqual(formatBytes(1048575), '1024.0 KiB');
    });
  });

  describe('formatCount', () => {
    it('groups thousands with commas', () => {
      assert.equal(formatCount(0), '0');
      assert.equal(formatCount(999), '999');
      assert.equal(formatCount(1000), '1,000');
      assert.equal(formatCount(1234567), '1,234,567');
    });
  });

  describe('plural', () => {
    it('uses the singular only for exactly one', () => {
      assert.equal(plural(1, 'allocation'), '1 allocation');
      assert.equal(plural(0, 'allocation'), '0 allocations');
      assert.equal(plural(2, 'allocation'), '2 allocations');
      assert.equal(plural(1000, 'allocation'), '1,000 allocations');
    });

    it('takes an irregular plural', () => {
      assert.equal(plural(3, 'entry', 'entries'), '3 entries');
      assert.equal(plural(1, 'entry', 'entries'), '1 entry');
    });
  });
});
