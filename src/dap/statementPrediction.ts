/** Line scope: the compiler's escape analysis of the counted statement, set beside the measurement. */
import { EscapePrediction, predictStatement } from '../core/escape';
import type { MallocReport } from '../core/report';
import { analyzeEscapes } from './escapeAnalysis';

export async function predictionFor(report: MallocReport, build: { target: string; test: boolean; optimized: boolean; env: NodeJS.ProcessEnv }): Promise<EscapePrediction | undefined> {
  const statement = report.statement;
  if (!statement?.reached) return undefined;
  const messages = await analyzeEscapes(build);
  // The first frame below the statement names the call that allocated (runtime.makemap,
  // strconv.Itoa); allocations charged to lines of the user's own callees name that function.
  const inStatement = (l: { file: string; line: number }) => l.file === statement.file && l.line >= statement.line && l.line <= (statement.endLine ?? statement.line);
  const callees = report.lines.flatMap((l) => (inStatement(l) ? l.paths.map((p) => p.frames[0]) : [l.function])).filter((f): f is string => f !== undefined);
  const count = report.lines.reduce((sum, l) => sum + l.count, 0);
  return predictStatement(messages, statement.file, statement.line, statement.endLine ?? statement.line, { count, callees });
}
