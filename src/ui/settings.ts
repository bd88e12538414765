/** The extension's settings (`malloclens.*`), read in one place with their defaults. */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { DEFAULT_ENGINE, EngineName, isEngineName } from '../core/engineChoice';

export type DecorationStyle = 'after' | 'before';

export interface Settings {
  /** An explicit `dlv`; empty: found the way the Go extension finds it. */
  dlvPath?: string;
  /** Extra directories whose files count as your code, besides the module or workspace. */
  attributionRoots: string[];
  optimizedBuilds: boolean;
  /** The engine for debug sessions whose configuration names none. */
  engine: EngineName;
  inlineCounts: {
    enabled: boolean;
    style: DecorationStyle;
    /** Percent of a run's allocations below which a line shows no count. */
    minimumShare: number;
  };
}

export const SECTION = 'malloclens';

export function readSettings(scope?: vscode.ConfigurationScope): Settings {
  const c = vscode.workspace.getConfiguration(SECTION, scope);
  const dlvPath = c.get<string>('dlvPath', '').trim();
  return {
    dlvPath: dlvPath === '' ? undefined : dlvPath,
    attributionRoots: c.get<string[]>('attributionRoots', []).filter((r) => typeof r === 'string' && r.trim() !== ''),
    optimizedBuilds: c.get<boolean>('optimizedBuilds', false),
    engine: isEngineName(c.get('engine')) ? c.get<EngineName>('engine')! : DEFAULT_ENGINE,
    inlineCounts: {
      enabled: c.get<boolean>('inlineCounts.enabled', true),
      style: c.get<DecorationStyle>('inlineCounts.style', 'after') === 'before' ? 'before' : 'after',
      minimumShare: Math.max(0, c.get<number>('inlineCounts.minimumShare', 0)),
    },
  };
}

/** The Go extension's `go.toolsEnvVars`: the environment its tools (and dlv) run with. */
export function goToolsEnv(scope?: vscode.ConfigurationScope): Record<string, string> {
  const vars = vscode.workspace.getConfiguration('go', scope).get<Record<string, unknown>>('toolsEnvVars', {});
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(vars ?? {})) if (typeof v === 'string') env[k] = v;
  return env;
}

/**
 * The environment for the engine: this process's, the Go extension's tool variables, and the
 * attribution roots (MALLOCLENS_ROOTS, path-list separated) for the engine to count as user code.
 */
export function engineEnv(settings: Settings, scope?: vscode.ConfigurationScope): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...goToolsEnv(scope) };
  if (settings.attributionRoots.length > 0) env.MALLOCLENS_ROOTS = settings.attributionRoots.join(path.delimiter);
  return env;
}
