/**
 * Which counting engine a run gets. Fast mode (the runtime's own profile) is the default for
 * whole runs: it counts at the program's speed. The breakpoint engine stops at every allocation;
 * it is what counting one statement and its anatomy needs, and an explicit choice otherwise.
 */
export type EngineName = 'fast' | 'breakpoints';

export const ENGINES: readonly EngineName[] = ['fast', 'breakpoints'];

export const DEFAULT_ENGINE: EngineName = 'fast';

export class EngineChoiceError extends Error {}

export function isEngineName(value: unknown): value is EngineName {
  return typeof value === 'string' && (ENGINES as readonly string[]).includes(value);
}

/** The engine for a run: the one asked for, else the default; one statement needs breakpoints. */
export function chooseEngine(asked: EngineName | undefined, lineScope: boolean): EngineName {
  if (lineScope) {
    if (asked === 'fast') throw new EngineChoiceError('fast mode counts whole runs; counting one statement needs the breakpoint engine');
    return 'breakpoints';
  }
  return asked ?? DEFAULT_ENGINE;
}

/**
 * The engine a launch or attach request asks for among its `malloclens` arguments: `engine`
 * ("fast" or "breakpoints"), or the older `fast: true`.
 */
export function engineRequested(requestArguments: unknown): EngineName | undefined {
  const own = (requestArguments as { malloclens?: { engine?: unknown; fast?: unknown } } | undefined)?.malloclens;
  if (own?.engine !== undefined) {
    if (!isEngineName(own.engine)) throw new EngineChoiceError(`malloclens.engine must be "fast" or "breakpoints", not ${JSON.stringify(own.engine)}`);
    return own.engine;
  }
  return own?.fast === true ? 'fast' : undefined;
}
