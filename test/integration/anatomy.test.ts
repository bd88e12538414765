/**
 * Statement anatomy on three Go generations, through the real CLI (`count --line`): the parts of a
 * statement are checked against what the program measured around it (MemStats.Mallocs and
 * TotalAlloc) and against the runtime's own sizes and shapes it read (the map's bucket or group
 * size from its type descriptor, hmap.B or the swiss directory length, unsafe.Sizeof).
 */
import * as assert from 'node:assert/strict';
import type { AllocationKind } from '../../src/core/anatomy';
import type { AnatomyRecord } from '../../src/core/anatomyText';
import { ANATOMY_FIXTURE, ANATOMY_MAIN, disagreements, rowLine } from '../../scripts/anatomyOracle';
import { countRow, GENERATIONS, RowCount } from './anatomyHelpers';
import { runCli, waitForNoLeftovers } from './helpers';

function assertMatchesRuntime(id: string, counted: RowCount): void {
  assert.deepEqual(disagreements(id, { count: counted.report.total.count, parts: counted.parts }, counted.facts), []);
  assert.equal(counted.report.unattributed.count, 0, 'everything counted is charged to the statement');
  assert.ok(counted.parts.every((p) => p.kind !== undefined), 'every allocation was inspected');
}

const kinds = (parts: AnatomyRecord[]): (AllocationKind | undefined)[] => parts.map((p) => p.kind);

function repeat<T>(items: T[], times: number): T[] {
  return Array.from({ length: times }, () => items).flat();
}

/** The map's array parts must be whole buckets (groups) of the size its type descriptor gives. */
function assertWholeGroups(counted: RowCount): void {
  for (const p of counted.parts.filter((x) => x.kind === 'map.buckets' || x.kind === 'swissmap.groups')) {
    assert.equal(p.bytes, p.elements! * counted.facts.mapGroupSize, `${p.kind}: ${p.bytes} B for ${p.elements} of ${counted.facts.mapGroupSize} B`);
  }
}

describe('statement anatomy: parts checked against the runtime, per Go generation', function () {
  this.timeout(300_000);

  after(async () => {
    assert.deepEqual(await waitForNoLeftovers(), []);
  });

  for (const generation of GENERATIONS) {
    describe(generation.name, () => {
      before(function () {
        // CI installs Debian's golang-1.19 and delve; a developer machine may not have them.
        if (!generation.available()) this.skip();
      });

      it('make(map[int]int, 1000) that escapes: header and the buckets (or directory, tables, groups) the map\'s shape needs', async () => {
        const counted = await countRow('map-1000-escapes', [], generation.env);
        assertMatchesRuntime('map-1000-escapes', counted);
        assertWholeGroups(counted);
        const shape = counted.row.mapShape!;
        if (generation.swiss) {
          // shape = the directory length: one table and one group array per entry.
          assert.deepEqual(kinds(counted.parts), ['swissmap.header', 'swissmap.directory', ...repeat(['swissmap.table', 'swissmap.groups'], shape)]);
          assert.equal(counted.parts[1].elements, shape);
          const slots = counted.parts.filter((p) => p.kind === 'swissmap.groups').reduce((n, p) => n + p.elements! * 8, 0);
          assert.ok(slots * 7 / 8 >= 1000, `${slots} slots hold 1000 entries at 7/8 load`);
        } else {
          // shape = B: 2^B buckets, and from B = 4 on preallocated overflow buckets besides.
          assert.deepEqual(kinds(counted.parts), ['map.header', 'map.buckets', 'map.extra']);
          const buckets = counted.parts[1];
          assert.equal(buckets.elements! - buckets.overflow!, 2 ** shape);
          assert.ok(shape >= 4 && buckets.overflow! >= 2 ** (shape - 4), `${buckets.overflow} preallocated overflow buckets for B = ${shape}`);
        }
        assert.deepEqual([counted.report.prediction?.verdict, counted.report.prediction?.agrees], ['heap', true]);
      });

      it('make(map[int]int, 1000) that does not escape: no header, yet the rest is allocated, and the prediction is flagged', async () => {
        const counted = await countRow('map-1000-local', [], generation.env);
        assertMatchesRuntime('map-1000-local', counted);
        assertWholeGroups(counted);
        if (generation.swiss) {
          const tables = counted.parts[0].elements!;
          assert.deepEqual(kinds(counted.parts), ['swissmap.directory', ...repeat(['swissmap.table', 'swissmap.groups'], tables)]);
        } else {
          assert.deepEqual(kinds(counted.parts), ['map.buckets', 'map.extra']);
        }
        const prediction = counted.report.prediction!;
        assert.equal(prediction.verdict, 'stack');
        assert.equal(prediction.agrees, false);
        assert.match(prediction.note ?? '', /through runtime\.makemap/);
      });

      it('an append loop from empty to 1000: one growth per capacity, each the size of its elements', async () => {
        const counted = await countRow('append-1000-escapes', [], generation.env);
        assertMatchesRuntime('append-1000-escapes', counted);
        assert.ok(counted.parts.every((p) => p.kind === 'slice.grow'));
        const caps = counted.parts.map((p) => p.elements!);
        assert.ok(caps.every((c, i) => i === 0 || c > caps[i - 1]), `capacities grow: ${caps.join(' ')}`);
        assert.ok(caps[caps.length - 1] >= 1000 && caps[caps.length - 2] < 1000, `the last growth is the one that fits 1000: ${caps.join(' ')}`);
        for (const p of counted.parts) assert.equal(p.bytes, p.elements! * counted.facts.intSize);
        if (generation.swiss) {
          // Go 1.20+ debug builds keep growslice's lengths readable: each old capacity is the previous new one.
          assert.deepEqual(counted.parts.map((p) => p.oldCap), [0, ...caps.slice(0, -1)]);
        }
      });

      it('an append loop that does not escape, optimized: what the compiler left to the heap', async () => {
        const counted = await countRow('append-1000-local', ['--optimized'], generation.env);
        assertMatchesRuntime('append-1000-local', counted);
        assert.ok(counted.parts.length > 0 && counted.parts.every((p) => p.kind === 'slice.grow' && p.bytes === p.elements! * counted.facts.intSize));
      });

      it('one line of every other kind: strings, boxing, closures, a channel, new, a goroutine', async () => {
        const counted = await countRow('kinds', [], generation.env);
        assertMatchesRuntime('kinds', counted);
        const found = kinds(counted.parts);
        assert.deepEqual(found.slice(0, 6), ['string.concat', 'interface', 'closure', 'channel', 'new', 'string.convert']);
        assert.deepEqual([...new Set(found.slice(6))].sort(), ['closure', 'goroutine']);
        const bytesOf = (kind: AllocationKind) => counted.parts.find((p) => p.kind === kind)!.bytes;
        assert.equal(bytesOf('string.concat'), counted.facts.concatLen);
        assert.equal(bytesOf('string.convert'), counted.facts.bytesCap);
        assert.equal(bytesOf('interface'), counted.facts.intSize);
        assert.equal(bytesOf('new'), counted.facts.pointSize);
        assert.equal(counted.parts.find((p) => p.kind === 'new')!.type, 'main.point');
        assert.equal(counted.report.prediction?.agrees, true);
      });

      if (!generation.swiss) {
        it('classic map inserts: buckets as the map grows, overflow buckets and their bookkeeping', async () => {
          const counted = await countRow('map-inserts', [], generation.env);
          assertMatchesRuntime('map-inserts', counted);
          assertWholeGroups(counted);
          assert.equal(counted.parts[0].kind, 'map.header');
          assert.ok(counted.parts.every((p) => ['map.header', 'map.buckets', 'map.overflow', 'map.extra'].includes(p.kind!)), kinds(counted.parts).join(' '));
          const last = counted.parts.filter((p) => p.kind === 'map.buckets').pop()!;
          assert.equal(last.elements! - last.overflow!, 2 ** counted.row.mapShape!, 'the last bucket array holds the map\'s 2^B buckets');
          for (const p of counted.parts.filter((x) => x.kind === 'map.overflow')) assert.equal(p.bytes, counted.facts.mapGroupSize);
        });
      }
    });
  }

  it('prints the statement\'s parts in order and the prediction beside them', async () => {
    const line = rowLine('map-1000-local').line;
    const cli = await runCli(['count', '--line', `${ANATOMY_MAIN}:${line}`, ANATOMY_FIXTURE], { env: { MALLOCLENS_ORACLE_OUT: '/dev/null' } });
    assert.equal(cli.code, 0, cli.stderr);
    assert.match(cli.stdout, new RegExp(`main\\.go:${line} main\\.main: \\d+ allocations, [\\d,]+ B, in order:\\n +# +KIND +BYTES +TYPE +ELEMENTS +IN\\n +1 +map `));
    assert.match(cli.stdout, /\nescape analysis: make\(map\[int\]int, 1000\) does not escape — disagrees: .*through runtime\.makemap\n$/);
  });
});
