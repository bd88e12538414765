/**
 * Where a pprof profile's file names are on this machine. A profile taken in production names the
 * files as the build saw them: absolute paths of the build machine (`/build/src/app/pkg/x.go`), or
 * module paths with -trimpath (`example.com/app/pkg/x.go`). A name that is not a file here is
 * looked up under the user's roots by its shortest tail that exists there (`pkg/x.go`), longest
 * tail first; names found nowhere keep their names (GOROOT and module-cache files are not the
 * user's code anyway).
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';

export function profileFileMapper(roots: string[]): (file: string) => string {
  const known = new Map<string, string>();
  return (file: string) => {
    let mapped = known.get(file);
    if (mapped !== undefined) return mapped;
    mapped = path.isAbsolute(file) && existsSync(file) ? file : locate(file, roots) ?? file;
    known.set(file, mapped);
    return mapped;
  };
}

function locate(file: string, roots: string[]): string | undefined {
  const parts = file.split(/[\\/]+/).filter(Boolean);
  // Longest tail first: `app/pkg/x.go` before `pkg/x.go`. A bare name is too weak for a build
  // machine's absolute path (its GOROOT's proc.go), not for -trimpath's `example.com/app/main.go`.
  const shortest = path.isAbsolute(file) ? 2 : 1;
  for (let i = 0; i <= parts.length - shortest; i++) {
    const tail = parts.slice(i).join(path.sep);
    for (const root of roots) {
      const candidate = path.join(root, tail);
      if (existsSync(candidate)) return candidate;
    }
  }
  return undefined;
}
