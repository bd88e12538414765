/**
 * Runs the compiler's escape analysis on the target with the flags of the counted build, so that
 * the prediction is the one for the code that actually ran (Delve's debug build does not inline,
 * and that changes what escapes).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { EscapeMessage, parseEscapeOutput } from '../core/escape';
import { DEBUG_GCFLAGS, describeTarget, summarizeBuildErrors } from './goToolchain';
import { run } from './processes';

export interface EscapeRequest {
  /** A main package directory, or one .go file (absolute). */
  target: string;
  test: boolean;
  optimized: boolean;
  env: NodeJS.ProcessEnv;
}

/**
 * With two -gcflags the later one wins for the packages it matches: the named package gets -m on
 * top of the counted build's flags, and every other package is built as it was (and stays cached).
 */
export function escapeGcflags(optimized: boolean): string[] {
  return optimized ? ['-gcflags=-m'] : [`-gcflags=${DEBUG_GCFLAGS}`, `-gcflags=${DEBUG_GCFLAGS.replace(/^all=/, '')} -m`];
}

export async function analyzeEscapes(request: EscapeRequest): Promise<EscapeMessage[]> {
  const { dir, file } = describeTarget(request.target);
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-escape-'));
  try {
    const output = path.join(work, 'program');
    const args = request.test ? ['test', '-c', '-o', output] : ['build', '-o', output];
    args.push(...escapeGcflags(request.optimized), file ? path.basename(file) : '.');
    const r = await run('go', args, { cwd: dir, env: request.env });
    if (r.code !== 0) throw new Error(`escape analysis failed: ${summarizeBuildErrors(r.stderr)}`);
    return parseEscapeOutput(r.stderr, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
