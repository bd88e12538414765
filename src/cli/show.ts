/** `malloclens show PROFILE`: a Go heap or allocs profile (sampled) as the per-line table. */
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { PprofReadError, readPprof } from '../core/pprofIn';
import { renderLinesTable } from '../core/reportText';
import { userCodeRoots } from '../dap/goToolchain';
import { profileFileMapper } from '../dap/profileFiles';
import type { ShowArgs } from './args';
import type { CliIO } from './count';

/** Returns the process exit code. */
export async function runShow(args: ShowArgs, io: CliIO): Promise<number> {
  const file = path.resolve(io.cwd, args.profile);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read ${args.profile}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const root = path.resolve(io.cwd, args.root ?? '.');
  const roots = await userCodeRoots(root, io.env);
  let report;
  try {
    report = readPprof(bytes, { file, roots, kind: args.inuse ? 'inuse' : 'alloc', mapFile: profileFileMapper(roots.include) });
  } catch (e) {
    if (e instanceof PprofReadError) throw new Error(`${args.profile}: ${e.message}`);
    throw e;
  }
  const text = args.json ? JSON.stringify(report, null, 2) : renderLinesTable(report, io.cwd, args);
  if (args.output) writeFileSync(path.resolve(io.cwd, args.output), `${text}\n`);
  else io.stdout(`${text}\n`);
  for (const w of report.warnings) io.stderr(`malloclens: ${w}`);
  return 0;
}
