/**
 * The compiler's errors as places: `./main.go:4:7: undefined: x` → main.go, line 4, column 7, the
 * message. They become Problems entries at their lines, where a toast would cut them short.
 */
import * as path from 'node:path';

export interface BuildProblem {
  /** Absolute. */
  file: string;
  /** 1-based. */
  line: number;
  column?: number;
  message: string;
}

// `./main.go:4:7: msg`, `main.go:4: msg`, `/abs/x.go:12:3: msg`; vet-style `# pkg` headers are not errors.
const PLACE = /^(.+?\.go):(\d+)(?::(\d+))?: (.+)$/;

export function parseBuildErrors(stderr: string, buildDir: string): BuildProblem[] {
  const out: BuildProblem[] = [];
  for (const raw of stderr.split('\n')) {
    const m = PLACE.exec(raw.trim());
    if (!m) continue;
    out.push({
      file: path.resolve(buildDir, m[1]),
      line: Number(m[2]),
      ...(m[3] ? { column: Number(m[3]) } : {}),
      message: m[4],
    });
  }
  return out;
}

/** `main.go:4: undefined: x (and 2 more in Problems)`: the toast's one line. */
export function problemsSummary(problems: BuildProblem[]): string {
  if (problems.length === 0) return '';
  const first = problems[0];
  const more = problems.length - 1;
  return `${path.basename(first.file)}:${first.line}: ${first.message}${more > 0 ? ` (and ${more} more in Problems)` : ' (see Problems)'}`;
}
