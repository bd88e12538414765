/** What kind of Go package a file belongs to: "count mallocs" runs a main package, or the package's tests. */

/** The name in the file's package clause, skipping the comments that may precede it. */
export function packageName(source: string): string | undefined {
  // Only comments may precede the package clause, so stripping them (naively: no strings can
  // occur before it) leaves the clause first.
  const head = source.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  return /^\s*package\s+([\p{L}_][\p{L}\p{N}_]*)/u.exec(head)?.[1];
}

/** How to reach a statement in `file`: run the program, or the package's tests (test files, libraries). */
export function runsAsTest(file: string, source: string): boolean {
  return file.endsWith('_test.go') || packageName(source) !== 'main';
}
