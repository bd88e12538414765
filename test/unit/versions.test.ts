import * as assert from 'node:assert/strict';
import {
  atLeast, compareVersions, delveFeatures, delveGoMismatch, formatVersion, MIN_DELVE, parseVersion, PINNED_DELVE, supportedGoRange, Version,
} from '../../src/core/versions';

const v = (text: string): Version => {
  const parsed = parseVersion(text);
  assert.ok(parsed, `could not parse ${text}`);
  return parsed;
};

describe('versions', () => {
  describe('parseVersion', () => {
    it('parses Go release strings', () => {
      assert.deepEqual(parseVersion('go1.26.8'), { major: 1, minor: 26, patch: 8 });
      assert.deepEqual(parseVersion('go1.22'), { major: 1, minor: 22, patch: 0 });
      assert.deepEqual(parseVersion('go version go1.24.3 linux/amd64'), { major: 1, minor: 24, patch: 3 });
    });

    it('parses bare Delve versions and `dlv version` output', () => {
      assert.deepEqual(parseVersion('1.27.2'), { major: 1, minor: 27, patch: 2 });
      assert.deepEqual(parseVersion('Delve Debugger\nVersion: 1.27.2\nBuild: $Id: 0123abcd $\n'), { major: 1, minor: 27, patch: 2 });
    });

    it('parses pre-releases and devel builds as the x.y they lead to', () => {
      assert.deepEqual(parseVersion('go1.27rc1'), { major: 1, minor: 27, patch: 0 });
      assert.deepEqual(parseVersion('devel go1.28-abc'), { major: 1, minor: 28, patch: 0 });
      assert.deepEqual(parseVersion('devel go1.28-4f0a1b2c Tue Mar 3 10:00:00 2026 +0000'), { major: 1, minor: 28, patch: 0 });
    });

    it('returns undefined when there is no version', () => {
      assert.equal(parseVersion(''), undefined);
      assert.equal(parseVersion('go'), undefined);
      assert.equal(parseVersion('devel'), undefined);
    });
  });

  describe('compareVersions, atLeast, formatVersion', () => {
    it('orders by major, then minor, then patch, numerically', () => {
      assert.ok(compareVersions(v('1.9.0'), v('1.10.0')) < 0);
      assert.ok(compareVersions(v('1.27.10'), v('1.27.9')) > 0);
      assert.ok(compareVersions(v('2.0.0'), v('1.99.99')) > 0);
      assert.equal(compareVersions(v('go1.26'), v('1.26.0')), 0);
    });

    it('atLeast includes the boundary', () => {
      assert.equal(atLeast(v('1.24.0'), 1, 24), true);
      assert.equal(atLeast(v('1.23.12'), 1, 24), false);
      assert.equal(atLeast(v('1.24.0'), 1, 24, 1), false);
      assert.equal(atLeast(v('1.24.1'), 1, 24, 1), true);
    });

    it('formats as x.y.z', () => {
      assert.equal(formatVersion({ major: 1, minor: 27, patch: 0 }), '1.27.0');
      assert.equal(formatVersion(v('go1.26.8')), '1.26.8');
    });
  });

  describe('supportedGoRange (Delve pkg/goversion/compat.go)', () => {
    const cases: [string, number, number][] = [
      ['1.20.0', 18, 20],
      ['1.20.2', 18, 20],
      ['1.21.0', 18, 21],
      ['1.22.1', 19, 22],
      ['1.23.1', 21, 23],
      ['1.24.2', 21, 24],
      ['1.25.0', 21, 24], // v1.25.0 did not yet support Go 1.25
      ['1.25.1', 22, 25],
      ['1.26.3', 24, 26],
      ['1.27.0', 25, 27],
      ['1.27.2', 25, 27],
    ];
    for (const [delve, min, max] of cases) {
      it(`Delve ${delve} debugs Go 1.${min} to 1.${max}`, () => {
        assert.deepEqual(supportedGoRange(v(delve)), { minGoMinor: min, maxGoMinor: max });
      });
    }

    it('knows nothing about Delve older than 1.20', () => {
      assert.equal(supportedGoRange(v('1.19.1')), undefined);
    });

    it('assumes a Delve newer than the table moves the window one release per minor', () => {
      assert.deepEqual(supportedGoRange(v('1.28.0')), { minGoMinor: 26, maxGoMinor: 28 });
      assert.deepEqual(supportedGoRange(v('1.29.3')), { minGoMinor: 27, maxGoMinor: 29 });
    });

    // compat.go at v1.21.1 already says MinSupportedVersionOfGoMinor = 19 (the table starts that at 1.21.2).
    it('Delve 1.21.1 debugs Go 1.19 to 1.21', () => {
      assert.deepEqual(supportedGoRange(v('1.21.1')), { minGoMinor: 19, maxGoMinor: 21 });
    });
  });

  describe('delveGoMismatch', () => {
    it('accepts the Go versions Delve 1.27.2 supports', () => {
      assert.equal(delveGoMismatch(v('1.27.2'), v('go1.25.0')), undefined);
      assert.equal(delveGoMismatch(v('1.27.2'), v('go1.26.8')), undefined);
      assert.equal(delveGoMismatch(v('1.27.2'), v('go1.27.1')), undefined);
    });

    it('refuses Go older than Delve 1.27.2 supports, naming the supported range', () => {
      const why = delveGoMismatch(v('1.27.2'), v('go1.24.5'));
      assert.ok(why);
      assert.match(why, /1\.27\.2/);
      assert.match(why, /1\.25\b.*1\.27\b/);
      assert.match(why, /go1\.24\.5/);
    });

    it('refuses Go newer than Delve 1.27.2 supports', () => {
      const why = delveGoMismatch(v('1.27.2'), v('go1.28.0'));
      assert.ok(why);
      assert.match(why, /go1\.28\.0/);
    });

    it('refuses a devel Go beyond the window', () => {
      assert.ok(delveGoMismatch(v('1.27.2'), v('devel go1.28-abc')));
    });

    it('handles old Delve: 1.20.2 debugs go1.19 but not go1.26', () => {
      assert.equal(delveGoMismatch(v('1.20.2'), v('go1.19.13')), undefined);
      const why = delveGoMismatch(v('1.20.2'), v('go1.26.0'));
      assert.ok(why);
      assert.match(why, /1\.18\b.*1\.20\b/);
    });

    it('refuses Delve 1.25.0 for Go 1.25 but not Delve 1.25.1', () => {
      assert.ok(delveGoMismatch(v('1.25.0'), v('go1.25.0')));
      assert.equal(delveGoMismatch(v('1.25.1'), v('go1.25.0')), undefined);
    });

    it('refuses a Delve older than MIN_DELVE whatever the Go', () => {
      assert.deepEqual(MIN_DELVE, { major: 1, minor: 20, patch: 0 });
      for (const go of ['go1.19.0', 'go1.18.10', 'go1.26.0']) {
        const why = delveGoMismatch(v('1.19.1'), v(go));
        assert.ok(why, go);
        assert.match(why, /too old/);
        assert.match(why, /1\.20\.0/);
      }
    });

    it('names where the Delve is when told', () => {
      assert.match(delveGoMismatch(v('1.27.2'), v('go1.24.0'), 'at /usr/bin/dlv')!, /^Delve 1\.27\.2 at \/usr\/bin\/dlv debugs /);
      assert.match(delveGoMismatch(v('1.19.0'), v('go1.24.0'), 'at /x/dlv')!, /^Delve 1\.19\.0 at \/x\/dlv is too old/);
      assert.match(delveGoMismatch(v('1.27.2'), v('go1.24.0'))!, /^Delve 1\.27\.2 debugs /);
    });

    it('accepts the pinned Delve with a current Go', () => {
      assert.equal(delveGoMismatch(v(PINNED_DELVE.version), v('go1.26.0')), undefined);
      assert.equal(PINNED_DELVE.module, 'github.com/go-delve/delve/cmd/dlv');
    });
  });

  describe('delveFeatures', () => {
    it('reads delve.bphitcount from Delve 1.24.1 on', () => {
      assert.equal(delveFeatures(v('1.24.0')).breakpointHitCount, false);
      assert.equal(delveFeatures(v('1.24.1')).breakpointHitCount, true);
      assert.equal(delveFeatures(v('1.27.2')).breakpointHitCount, true);
    });

    it('has no unix --client-addr before 1.24', () => {
      assert.equal(delveFeatures(v('1.22.1')).unixClientAddr, false);
      assert.equal(delveFeatures(v('1.27.2')).unixClientAddr, true);
    });

    // `dlv dap --client-addr` dials net.Dial("tcp", addr) up to v1.23.1; unix: support is
    // go-delve/delve#3819, first released in v1.24.0.
    it('has no unix --client-addr in Delve 1.23.x (it arrived in 1.24.0)', () => {
      assert.equal(delveFeatures(v('1.23.0')).unixClientAddr, false);
      assert.equal(delveFeatures(v('1.23.1')).unixClientAddr, false);
      assert.equal(delveFeatures(v('1.24.0')).unixClientAddr, true);
    });
  });
});
