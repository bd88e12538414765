/**
 * Where a map made without room pays for its storage: the lines that insert into it, with what a
 * run counted there through the runtime's map inserts (mapassign and the growth under it). Other
 * allocations on those lines (building the key, say) are not the map's and are left out.
 */
import type { MapWrites } from './lineHover';
import type { MallocReport } from './report';
import type { Amount } from './tally';

const MAP_INSERT_FRAME = /mapassign|\.\(\*Map\)\.grow|\.\(\*table\)\.(grow|rehash|split)|hashGrow|growWork|newoverflow/;

export function mapInsertAmount(report: MallocReport, file: string, line: number): Amount | undefined {
  const tally = report.lines.find((l) => l.file === file && l.line === line);
  if (!tally) return undefined;
  const paths = tally.paths.filter((p) => p.frames.some((f) => MAP_INSERT_FRAME.test(f)));
  if (paths.length === 0) return undefined;
  return paths.reduce((a, p) => ({ count: a.count + p.count, bytes: a.bytes + p.bytes }), { count: 0, bytes: 0 });
}

export function mapWrites(writes: { name: string; lines: number[] }, file: string, run?: { label: string; report: MallocReport }): MapWrites {
  const paid: MapWrites['paid'] = [];
  for (const line of writes.lines) {
    const amount = run && mapInsertAmount(run.report, file, line);
    if (amount) paid.push({ file, line, amount });
  }
  return { name: writes.name, lines: writes.lines, paid, run: run?.label };
}
