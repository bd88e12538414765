/** `--make`: one row per make(...) call in the target's files, zeros included. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { formatCount } from '../core/format';
import { loadGoParser, MakeCall } from '../core/goSource';
import { MallocReport } from '../core/report';
import { describeBuild, relativeLocation } from '../core/reportText';
import { describeSelection, RowSelection, selectRows } from '../core/rowSelection';
import { renderTable } from '../core/table';

export interface MakeRow {
  file: string;
  call: MakeCall;
  count: number;
  bytes: number;
}

function goFiles(target: string, includeTests: boolean): string[] {
  if (!statSync(target).isDirectory()) return [target];
  return readdirSync(target)
    .filter((f) => f.endsWith('.go') && (includeTests || !f.endsWith('_test.go')))
    .sort()
    .map((f) => path.join(target, f));
}

export async function makeRows(report: MallocReport, target: string, includeTests: boolean): Promise<MakeRow[]> {
  const parser = await loadGoParser();
  const rows: MakeRow[] = [];
  for (const file of goFiles(target, includeTests)) {
    for (const call of parser.findMakeCalls(readFileSync(file, 'utf8'))) {
      const hit = report.lines.find((l) => l.file === file && l.line === call.line);
      rows.push({ file, call, count: hit?.count ?? 0, bytes: hit?.bytes ?? 0 });
    }
  }
  return rows;
}

export function renderMakeRows(rows: MakeRow[], report: MallocReport, cwd: string, selection: RowSelection = {}): string {
  const chosen = selectRows(rows, (r) => [relativeLocation(r.file, r.call.line, cwd), r.call.text], (r) => r.count, selection);
  const table = renderTable(
    [{ header: 'LOCATION' }, { header: 'CALL' }, { header: 'ALLOCS', align: 'right' }, { header: 'BYTES', align: 'right' }],
    chosen.rows.map((r) => [relativeLocation(r.file, r.call.line, cwd), r.call.text, formatCount(r.count), formatCount(r.bytes)]),
  );
  const cut = describeSelection(chosen.rows.length, chosen.of, selection);
  return `${describeBuild(report)}\n${table}${cut ? `\n${cut.replace(/; the total.*$/, '')}` : ''}`;
}
