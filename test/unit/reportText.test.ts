import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { StackFrame } from '../../src/core/attribution';
import { buildReport, MallocReport, ReportMeta } from '../../src/core/report';
import { describeBuild, describePath, relativeLocation, renderLinesTable, renderTotals } from '../../src/core/reportText';
import { Tally } from '../../src/core/tally';

const p = (...frames: string[]) => ({ frames, count: 1, bytes: 8 });

const PROJECT = '/home/u/proj';
const GOROOT = '/usr/local/go';
const rt = (name: string): StackFrame => ({ name, path: `${GOROOT}/src/runtime/malloc.go`, line: 1 });
const user = (name: string, file: string, line: number): StackFrame => ({ name, path: `${PROJECT}/${file}`, line });

const META: ReportMeta = { go: 'go1.26.1', delve: '1.27.2', buildFlags: '-gcflags=all=-N -l', scope: 'run' };

function sampleReport(meta: ReportMeta = META): MallocReport {
  const t = new Tally({ include: [PROJECT], exclude: [GOROOT] });
  for (let i = 0; i < 1200; i++) t.record({ size: 8, frames: [rt('runtime.mallocgc'), rt('runtime.newobject'), user('main.main', 'main.go', 12)] });
  t.record({ size: 4096, frames: [rt('runtime.mallocgc'), rt('runtime.makeslice'), user('main.fill', 'pkg/fill.go', 7), user('main.main', 'main.go', 13)] });
  for (let i = 0; i < 34; i++) t.record({ size: 16, frames: [rt('runtime.mallocgc'), rt('runtime.malg'), rt('runtime.schedinit')] });
  return buildReport(meta, t);
}

describe('reportText', () => {
  describe('describePath', () => {
    it('is empty for no path', () => {
      assert.equal(describePath(undefined), '');
    });

    it('drops the allocator frames (old and Go 1.24+ names)', () => {
      assert.equal(describePath(p('runtime.makemap', 'runtime.newobject', 'runtime.mallocgc')), 'runtime.makemap');
      assert.equal(describePath(p('runtime.makeslice', 'runtime.mallocgc', 'runtime.mallocgcSmallNoscan')), 'runtime.makeslice');
      assert.equal(describePath(p('runtime.growslice', 'runtime.mallocgcTinySC2')), 'runtime.growslice');
      assert.equal(describePath(p('strings.Repeat', 'runtime.makeslice', 'runtime.mallocgcSmallScanNoHeaderSC3')), 'strings.Repeat → runtime.makeslice');
      assert.equal(describePath(p('runtime.concatstrings', 'runtime.rawstring', 'runtime.mallocTiny8')), 'runtime.concatstrings → runtime.rawstring');
      assert.equal(describePath(p('runtime.makechan', 'runtime.newarray', 'runtime.mallocgc')), 'runtime.makechan');
    });

    it('keeps runtime functions that are not allocators', () => {
      assert.equal(describePath(p('runtime.makemap_small', 'runtime.mallocgc')), 'runtime.makemap_small');
      assert.equal(describePath(p('fmt.Sprintf', 'fmt.(*pp).doPrintf', 'runtime.growslice', 'runtime.mallocgc')), 'fmt.Sprintf → fmt.(*pp).doPrintf → runtime.growslice');
    });

    it('names the first allocator frame when the path is nothing but allocators', () => {
      assert.equal(describePath(p('runtime.newobject', 'runtime.mallocgc')), 'runtime.newobject');
    });

    it('says "(direct)" for an empty path', () => {
      assert.equal(describePath(p()), '(direct)');
    });

    it('shows at most four frames, then an ellipsis', () => {
      assert.equal(describePath(p('a.A', 'b.B', 'c.C', 'd.D', 'runtime.mallocgc')), 'a.A → b.B → c.C → d.D');
      assert.equal(describePath(p('a.A', 'b.B', 'c.C', 'd.D', 'e.E', 'runtime.newobject', 'runtime.mallocgc')), 'a.A → b.B → c.C → d.D → …');
      assert.equal(describePath(p('a.A', 'runtime.newobject', 'b.B', 'c.C', 'd.D', 'runtime.mallocgc')), 'a.A → b.B → c.C → d.D');
    });
  });

  describe('relativeLocation', () => {
    it('is relative to cwd for files under it', () => {
      assert.equal(relativeLocation(`${PROJECT}/main.go`, 12, PROJECT), 'main.go:12');
      assert.equal(relativeLocation(`${PROJECT}/pkg/a/a.go`, 3, PROJECT), path.join('pkg', 'a', 'a.go') + ':3');
    });

    it('stays absolute for files outside cwd', () => {
      assert.equal(relativeLocation('/elsewhere/x.go', 5, PROJECT), '/elsewhere/x.go:5');
      assert.equal(relativeLocation('/home/u/proj2/x.go', 5, PROJECT), '/home/u/proj2/x.go:5');
    });
  });

  describe('describeBuild', () => {
    it('recognises a debug build by -N -l', () => {
      assert.equal(describeBuild(META), 'go1.26.1 · Delve 1.27.2 · debug build (-gcflags=all=-N -l)');
    });

    it('calls anything else optimized, with its flags when there are any', () => {
      assert.equal(describeBuild({ ...META, buildFlags: '' }), 'go1.26.1 · Delve 1.27.2 · optimized build');
      assert.equal(describeBuild({ ...META, buildFlags: '-trimpath' }), 'go1.26.1 · Delve 1.27.2 · optimized build (-trimpath)');
    });
  });

  describe('renderTotals', () => {
    it('sums the whole run and what was charged to user code', () => {
      const r = sampleReport();
      assert.equal(r.total.count, 1235);
      assert.equal(r.unattributed.count, 34);
      const text = renderTotals(r);
      assert.match(text, /^total: 1,235 allocations, /);
      assert.match(text, /\(whole run; 1,201 in your code\)/);
      assert.ok(text.endsWith(' — go1.26.1 · Delve 1.27.2 · debug build (-gcflags=all=-N -l)'), text);
      // 1200*8 + 4096 + 34*16 = 14240 bytes = 13.9 KiB
      assert.match(text, /, 13\.9 KiB \(/);
    });

    it('names the statement in line scope', () => {
      const text = renderTotals(sampleReport({ ...META, scope: 'line', statement: { file: `${PROJECT}/main.go`, line: 12, reached: true } }));
      assert.match(text, /\(line 12, first execution; /);
    });

    it('falls back to "whole run" in line scope without a statement', () => {
      assert.match(renderTotals(sampleReport({ ...META, scope: 'line' })), /\(whole run; /);
    });

    it('uses the singular for one allocation', () => {
      const t = new Tally({ include: [PROJECT], exclude: [] });
      t.record({ size: 8, frames: [rt('runtime.mallocgc'), user('main.main', 'main.go', 1)] });
      assert.match(renderTotals(buildReport(META, t)), /^total: 1 allocation, 8 B \(whole run; 1 in your code\)/);
    });
  });

  describe('renderLinesTable', () => {
    const out = renderLinesTable(sampleReport(), PROJECT).split('\n');

    it('has a header, one row per line, one per bucket, then the totals', () => {
      assert.equal(out.length, 1 + 2 + 1 + 1);
      assert.match(out[0], /^LOCATION\s+FUNCTION\s+COUNT\s+BYTES\s+MAIN PATH$/);
      assert.ok(out[4].startsWith('total: '));
    });

    it('lists lines by count, relative to cwd, with their main path', () => {
      assert.match(out[1], /^main\.go:12\s+main\.main\s+1,200\s+9,600\s+runtime\.newobject$/);
      assert.match(out[2], new RegExp(`^${path.join('pkg', 'fill.go').replace(/[.\\]/g, '\\$&')}:7\\s+main\\.fill\\s+1\\s+4,096\\s+runtime\\.makeslice$`));
    });

    it('lists buckets in parentheses', () => {
      assert.match(out[3], /^\(runtime init\)\s+34\s+544\s+runtime\.schedinit → runtime\.malg$/);
    });

    it('right-aligns COUNT and BYTES under their headers', () => {
      const countEnd = out[0].indexOf('COUNT') + 'COUNT'.length;
      const bytesEnd = out[0].indexOf('BYTES') + 'BYTES'.length;
      const countCells = ['1,200', '1', '34'];
      const bytesCells = ['9,600', '4,096', '544'];
      for (let i = 0; i < 3; i++) {
        const row = out[1 + i];
        assert.equal(row.slice(countEnd - countCells[i].length, countEnd), countCells[i], `row ${i + 1} COUNT: ${row}`);
        assert.equal(row.slice(bytesEnd - bytesCells[i].length, bytesEnd), bytesCells[i], `row ${i + 1} BYTES: ${row}`);
      }
    });

    it('starts every MAIN PATH cell at the header column', () => {
      const col = out[0].indexOf('MAIN PATH');
      assert.ok(out[1].slice(col).startsWith('runtime.newobject'));
      assert.ok(out[3].slice(col).startsWith('runtime.schedinit'));
    });
  });

  describe('renderLinesTable with --top and --filter', () => {
    it('keeps the top rows by count, buckets included, and says how many were cut', () => {
      const out = renderLinesTable(sampleReport(), PROJECT, { top: 2 }).split('\n');
      assert.equal(out.length, 1 + 2 + 1 + 1);
      assert.match(out[1], /^main\.go:12\s/);
      assert.match(out[2], /^\(runtime init\)\s/);
      assert.equal(out[3], 'showing 2 of 3 rows (--top 2); the total below is the whole report\'s');
      assert.match(out[4], /^total: 1,235 allocations/);
    });

    it('filters on function names and on the frames of call paths', () => {
      const byFunction = renderLinesTable(sampleReport(), PROJECT, { filter: 'main\\.fill' }).split('\n');
      assert.equal(byFunction.length, 1 + 1 + 1 + 1);
      assert.match(byFunction[1], /fill\.go:7/);
      const byFrame = renderLinesTable(sampleReport(), PROJECT, { filter: 'runtime.malg' }).split('\n');
      assert.match(byFrame[1], /^\(runtime init\)/);
    });
  });
});
