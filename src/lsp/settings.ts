/**
 * The settings a count needs, asked of the client (workspace/configuration) for the file's scope:
 * `malloclens.*` as the VS Code extension names them (`benchtime` for "count allocs/op"), and `go.toolsEnvVars`. A client without
 * configuration gets the defaults.
 */
import * as path from 'node:path';
import type { Connection } from 'vscode-languageserver/node';
import { DEFAULT_ENGINE, EngineName, isEngineName } from '../core/engineChoice';

export interface CountSettings {
  dlvPath?: string;
  optimizedBuilds: boolean;
  engine: EngineName;
  env: NodeJS.ProcessEnv;
  /** `malloclens.benchtime` as set (checked where a benchmark runs); undefined: go test's default. */
  benchtime?: string;
}

type Section = Record<string, unknown> | null | undefined;

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v.trim() !== '') : [];
}

/** `{ "dlvPath": … }` or `{ "malloclens.dlvPath": … }` (how some clients nest settings): either reads. */
function read(section: Section, key: string): unknown {
  if (!section || typeof section !== 'object') return undefined;
  if (key in section) return section[key];
  return key.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), section);
}

export async function countSettings(connection: Connection, canAsk: boolean, scopeUri: string): Promise<CountSettings> {
  let own: Section;
  let go: Section;
  if (canAsk) {
    [own, go] = (await connection.workspace.getConfiguration([{ scopeUri, section: 'malloclens' }, { scopeUri, section: 'go' }])) as Section[];
  }
  const env: NodeJS.ProcessEnv = { ...process.env };
  const toolsEnv = read(go, 'toolsEnvVars');
  if (toolsEnv && typeof toolsEnv === 'object') for (const [k, v] of Object.entries(toolsEnv)) if (typeof v === 'string') env[k] = v;
  const roots = stringsOf(read(own, 'attributionRoots'));
  if (roots.length > 0) env.MALLOCLENS_ROOTS = roots.join(path.delimiter);
  const dlvPath = read(own, 'dlvPath');
  const engine = read(own, 'engine');
  const benchtime = read(own, 'benchtime');
  return {
    dlvPath: typeof dlvPath === 'string' && dlvPath.trim() !== '' ? dlvPath.trim() : undefined,
    optimizedBuilds: read(own, 'optimizedBuilds') === true,
    engine: isEngineName(engine) ? engine : DEFAULT_ENGINE,
    env,
    benchtime: typeof benchtime === 'string' && benchtime.trim() !== '' ? benchtime.trim() : undefined,
  };
}
