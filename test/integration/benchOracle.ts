/**
 * The testing package's own figures for a package's benchmarks, from a separate `go test` run with
 * the build flags malloclens counts with: exact ones from `testing.Benchmark(f)` (N, MemAllocs,
 * MemBytes; a generated test calls it for each top-level benchmark) and, for every benchmark
 * (sub-benchmarks too), `-benchmem`'s allocs/op and B/op, which go test truncates to whole numbers.
 */
import { chmodSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCommand } from './helpers';

export interface ExactFigures {
  n: number;
  allocs: number;
  bytes: number;
}

export interface BenchmemFigures {
  n: number;
  allocsPerOp: number;
  bytesPerOp: number;
}

export interface BenchmarkOracle {
  /** testing.Benchmark's result for each top-level benchmark asked for. */
  exact: Map<string, ExactFigures>;
  /** `go test -bench -benchmem`'s line for each benchmark that ran, without the -GOMAXPROCS suffix. */
  benchmem: Map<string, BenchmemFigures>;
}

const ORACLE_FILE = 'malloclens_oracle_test.go';

function packageName(dir: string): string {
  for (const f of readdirSync(dir).filter((n) => n.endsWith('_test.go'))) {
    const m = /^package\s+(\w+)/m.exec(readFileSync(path.join(dir, f), 'utf8'));
    if (m && !m[1].endsWith('_test')) return m[1];
  }
  throw new Error(`no internal test package in ${dir}`);
}

function oracleSource(pkg: string, benchmarks: string[]): string {
  return `package ${pkg}

import (
	"encoding/json"
	"os"
	"testing"
)

func TestMalloclensOracle(t *testing.T) {
	out := map[string]map[string]uint64{}
	for name, f := range map[string]func(*testing.B){${benchmarks.map((b) => `"${b}": ${b}`).join(', ')}} {
		r := testing.Benchmark(f)
		out[name] = map[string]uint64{"n": uint64(r.N), "allocs": r.MemAllocs, "bytes": r.MemBytes}
	}
	line, _ := json.Marshal(out)
	os.Stdout.WriteString("MALLOCLENS-ORACLE " + string(line) + "\\n")
}
`;
}

/**
 * Runs the package's benchmarks matching `bench` with `go test -gcflags=all=-N -l`, and
 * testing.Benchmark on `exact` (top-level benchmark function names), at `benchtime` (Nx).
 */
export async function benchmarkOracle(dir: string, options: { bench: string; exact: string[]; benchtime: string; env?: NodeJS.ProcessEnv }): Promise<BenchmarkOracle> {
  const file = path.join(dir, ORACLE_FILE);
  writeFileSync(file, oracleSource(packageName(dir), options.exact));
  try {
    const r = await runCommand('go', [
      'test', '-gcflags=all=-N -l', '-run', '^TestMalloclensOracle$', '-bench', options.bench, '-benchmem', '-benchtime', options.benchtime, '.',
    ], { cwd: dir, env: options.env });
    if (r.code !== 0) throw new Error(`the oracle's go test failed (${r.code}): ${r.stdout}${r.stderr}`);
    const exactLine = /^MALLOCLENS-ORACLE (.*)$/m.exec(r.stdout);
    if (!exactLine) throw new Error(`the oracle printed no figures: ${r.stdout}`);
    const exact = new Map(Object.entries(JSON.parse(exactLine[1]) as Record<string, ExactFigures>));
    const benchmem = new Map<string, BenchmemFigures>();
    for (const m of r.stdout.matchAll(/^(Benchmark\S*?)(?:-\d+)?\s+(\d+)\s+\S+ ns\/op\s+(\d+) B\/op\s+(\d+) allocs\/op/gm)) {
      benchmem.set(m[1], { n: Number(m[2]), bytesPerOp: Number(m[3]), allocsPerOp: Number(m[4]) });
    }
    return { exact, benchmem };
  } finally {
    rmSync(file, { force: true });
  }
}

/** A copy of `dir` in a new temporary directory, every file writable (the module cache's are not). */
export function writableCopy(dir: string, name: string): { dir: string; remove: () => void } {
  const work = mkdtempSync(path.join(os.tmpdir(), 'malloclens-bench-'));
  const copy = path.join(work, name);
  cpSync(dir, copy, { recursive: true });
  const writable = (p: string) => {
    chmodSync(p, statSync(p).mode | 0o200);
    if (statSync(p).isDirectory()) for (const n of readdirSync(p)) writable(path.join(p, n));
  };
  writable(copy);
  return { dir: copy, remove: () => rmSync(work, { recursive: true, force: true }) };
}

/** A module from the Go module proxy (or Go's module cache): its directory there. */
export async function downloadModule(module: string): Promise<string> {
  const r = await runCommand('go', ['mod', 'download', '-json', module], { cwd: os.tmpdir(), env: { GOFLAGS: '-mod=mod' } });
  let info: { Dir?: string; Error?: string } = {};
  try {
    info = JSON.parse(r.stdout) as typeof info;
  } catch {
    // Reported below with what go said.
  }
  if (r.code !== 0 || !info.Dir) throw new Error(`cannot download ${module} through the Go module proxy (GOPROXY=${process.env.GOPROXY ?? 'default'}): ${info.Error ?? (r.stderr || r.stdout).trim()}`);
  return info.Dir;
}
