/**
 * Regenerates the experiment tables in docs/anatomy.md from real runs: the anatomy program
 * (test/fixtures/anatomy) is counted under Delve, debug and optimized, with every allocation of its
 * rows inspected, on each Go generation asked for. A row whose count or bytes disagree with the
 * program's own MemStats deltas stops the run: the document only ever holds checked numbers.
 *
 *   npm run anatomy-table                      # all three generations
 *   npm run anatomy-table -- installed go1.27  # some of them
 *
 * The counting runs in run scope (one run per build, not one per row) with the same inspector as
 * `count --line`; the integration tests check that line scope agrees row by row.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AnatomyRecord } from '../src/core/anatomyText';
import { BuildKind, GenerationSection, MeasuredStatement, releaseKey, replaceSection } from '../src/core/anatomyTable';
import type { MallocReport } from '../src/core/report';
import { AnatomyInspector } from '../src/dap/allocationInspector';
import { countAllocations } from '../src/dap/countRun';
import { ANATOMY_FIXTURE, ANATOMY_MAIN, disagreements, readFacts, rowLines } from './anatomyOracle';

export const ANATOMY_DOC = path.resolve(__dirname, '..', '..', 'docs', 'anatomy.md');
const GO119_BIN = '/usr/lib/go-1.19/bin';

export interface Generation {
  name: string;
  env: NodeJS.ProcessEnv;
}

export const GENERATIONS: Record<string, Generation> = {
  go1_19: { name: 'Debian golang-1.19 (classic maps)', env: { PATH: `${GO119_BIN}:${process.env.PATH}`, GOTOOLCHAIN: 'local' } },
  installed: { name: 'the installed go (Go 1.26: swiss maps)', env: {} },
  go1_27: { name: 'Go 1.27.3 through GOTOOLCHAIN (size-specialized malloc)', env: { GOTOOLCHAIN: 'go1.27.3' } },
};

/** The rows of the table: the `make` and `append` experiment, escaping (`-escapes`) and not (`-local`). */
export function experimentRows() {
  return rowLines().filter((r) => /-(escapes|local)$/.test(r.id));
}

async function countRun(generation: Generation, build: BuildKind, oracleFile: string): Promise<MallocReport> {
  const env = { ...process.env, ...generation.env, MALLOCLENS_ORACLE_OUT: oracleFile };
  return countAllocations({
    target: ANATOMY_FIXTURE,
    test: false,
    optimized: build === 'optimized',
    programArgs: [],
    // Only the program's own lines need their allocations looked at.
    inspector: new AnatomyInspector({ accept: (frames) => frames.some((f) => f.path === ANATOMY_MAIN) }),
    cwd: ANATOMY_FIXTURE,
    env,
    installDelve: true,
    stdio: 'pipe',
    notify: (m) => process.stderr.write(`${m}\n`),
  });
}

/** Counts the experiment on one generation, both builds, and checks every row against the runtime. */
export async function measureGeneration(generation: Generation): Promise<GenerationSection> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-anatomy-'));
  try {
    const rows = experimentRows();
    const byBuild = new Map<BuildKind, MallocReport>();
    const problems: string[] = [];
    for (const build of ['debug', 'optimized'] as BuildKind[]) {
      const oracleFile = path.join(work, `${build}.json`);
      const report = await countRun(generation, build, oracleFile);
      if (!existsSync(oracleFile)) throw new Error(`${generation.name}, ${build}: the program did not report its measurements (exit ${report.program?.exitCode})`);
      const facts = readFacts(oracleFile);
      for (const row of rows) {
        const line = report.lines.find((l) => l.file === ANATOMY_MAIN && l.line === row.line);
        problems.push(...disagreements(row.id, { count: line?.count ?? 0, parts: line?.allocations ?? [] }, facts).map((p) => `${build}: ${p}`));
      }
      byBuild.set(build, report);
    }
    if (problems.length > 0) throw new Error(`${generation.name}: malloclens disagrees with the runtime:\n  ${problems.join('\n  ')}`);
    const debug = byBuild.get('debug')!;
    const statements: MeasuredStatement[] = [];
    for (const row of rows) {
      for (const [build, report] of byBuild) {
        const line = report.lines.find((l) => l.file === ANATOMY_MAIN && l.line === row.line);
        statements.push({
          statement: row.statement,
          escapes: row.id.endsWith('-escapes'),
          build,
          count: line?.count ?? 0,
          bytes: line?.bytes ?? 0,
          allocations: (line?.allocations ?? []) as AnatomyRecord[],
        });
      }
    }
    return { key: releaseKey(debug.go), title: `${debug.go} · Delve ${debug.delve}`, statements };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function main(names: string[]): Promise<void> {
  const chosen = names.length > 0 ? names : Object.keys(GENERATIONS);
  let doc = readFileSync(ANATOMY_DOC, 'utf8');
  for (const name of chosen) {
    const generation = GENERATIONS[name.replace('.', '_')];
    if (!generation) throw new Error(`unknown generation ${name} (known: ${Object.keys(GENERATIONS).join(', ')})`);
    const started = Date.now();
    const section = await measureGeneration(generation);
    doc = replaceSection(doc, section);
    writeFileSync(ANATOMY_DOC, doc);
    process.stderr.write(`${section.title}: ${section.statements.length} rows in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: Error) => {
    process.stderr.write(`${e.message}\n`);
    process.exitCode = 1;
  });
}
