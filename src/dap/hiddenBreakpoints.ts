/**
 * Keeps the proxy's breakpoints alive inside the client's.
 *
 * Delve's setFunctionBreakpoints (and setBreakpoints, per source file) replaces the whole set, so
 * every such request from the client is sent with the hidden entries appended, and the response is
 * cut back to the client's entries. Delve keeps a breakpoint's ID when a request names it again.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import type { DapProxy } from './proxy';

export interface HiddenBreakpointSpec {
  condition?: string;
  hitCondition?: string;
}

export interface VerifiedBreakpoint {
  id: number;
  name: string;
}

export class HiddenBreakpoints {
  private userFunctions: P.FunctionBreakpoint[] = [];
  private hiddenFunctions = new Map<string, HiddenBreakpointSpec>();
  private readonly userSources = new Map<string, P.SetBreakpointsArguments>();
  private readonly hiddenSources = new Map<string, Map<number, HiddenBreakpointSpec>>();
  /** Delve breakpoint ID → what it is, for every hidden breakpoint Delve accepted. */
  private readonly ids = new Map<number, string>();
  /** Hidden function names the client also asked for: the client's entry wins and its stops stay visible. */
  readonly shadowed = new Set<string>();
  private lastUnverified = new Map<string, string>();

  constructor(private readonly proxy: DapProxy) {}

  isHidden(id: number | undefined): boolean {
    return id !== undefined && this.ids.has(id);
  }

  /** The hidden breakpoint's key (a function name, or `file:line`) for a Delve breakpoint ID. */
  keyOf(id: number): string | undefined {
    return this.ids.get(id);
  }

  idsOf(key: string): number[] {
    return [...this.ids.entries()].filter(([, k]) => k === key).map(([id]) => id);
  }

  /** Why each unverified hidden function breakpoint was refused, from the last application. */
  unverified(): Map<string, string> {
    return this.lastUnverified;
  }

  // ---- function breakpoints --------------------------------------------------------------

  private mergedFunctions(): { breakpoints: P.FunctionBreakpoint[]; hiddenNames: string[] } {
    const userNames = new Set(this.userFunctions.map((b) => b.name));
    this.shadowed.clear();
    const hiddenNames: string[] = [];
    for (const name of this.hiddenFunctions.keys()) {
      if (userNames.has(name)) this.shadowed.add(name);
      else hiddenNames.push(name);
    }
    const hidden = hiddenNames.map((name) => ({ name, ...this.hiddenFunctions.get(name) }));
    return { breakpoints: [...this.userFunctions, ...hidden], hiddenNames };
  }

  private learnFunctionIds(hiddenNames: string[], returned: P.Breakpoint[], offset: number): void {
    for (const [id, key] of [...this.ids]) if (!key.includes(':')) this.ids.delete(id);
    this.lastUnverified = new Map();
    hiddenNames.forEach((name, i) => {
      const bp = returned[offset + i];
      if (bp?.verified && bp.id !== undefined) this.ids.set(bp.id, name);
      else this.lastUnverified.set(name, bp?.message ?? 'not verified');
    });
  }

  /** Forwards a client's setFunctionBreakpoints with the hidden entries merged in. */
  forwardFunctionBreakpoints(request: P.SetFunctionBreakpointsRequest): void {
    this.userFunctions = request.arguments?.breakpoints ?? [];
    const { breakpoints, hiddenNames } = this.mergedFunctions();
    const userCount = this.userFunctions.length;
    this.proxy.forward(request, { ...request.arguments, breakpoints }, (response) => {
      const all = ((response.body as { breakpoints?: P.Breakpoint[] } | undefined)?.breakpoints) ?? [];
      this.learnFunctionIds(hiddenNames, all, userCount);
      return { ...response, body: { ...(response.body as object), breakpoints: all.slice(0, userCount) } } as P.Response;
    });
  }

  /** Replaces the hidden function breakpoints and applies them; resolves to those Delve accepted. */
  async setFunctions(specs: Map<string, HiddenBreakpointSpec>): Promise<VerifiedBreakpoint[]> {
    this.hiddenFunctions = new Map(specs);
    const { breakpoints, hiddenNames } = this.mergedFunctions();
    const response = await this.proxy.request('setFunctionBreakpoints', { breakpoints });
    const all = ((response.body as { breakpoints?: P.Breakpoint[] } | undefined)?.breakpoints) ?? [];
    this.learnFunctionIds(hiddenNames, all, this.userFunctions.length);
    return [...this.ids.entries()].filter(([, k]) => !k.includes(':')).map(([id, name]) => ({ id, name }));
  }

  hiddenFunctionNames(): string[] {
    return [...this.hiddenFunctions.keys()];
  }

  // ---- source breakpoints ----------------------------------------------------------------

  private mergedSource(path: string): { args: P.SetBreakpointsArguments; hiddenLines: number[]; userCount: number } {
    const user = this.userSources.get(path) ?? { source: { path }, breakpoints: [] };
    const userBps = user.breakpoints ?? [];
    const userLines = new Set(userBps.map((b) => b.line));
    const hidden = [...(this.hiddenSources.get(path) ?? new Map()).entries()].filter(([line]) => !userLines.has(line));
    return {
      args: { ...user, breakpoints: [...userBps, ...hidden.map(([line, spec]) => ({ line, ...spec }))], lines: undefined },
      hiddenLines: hidden.map(([line]) => line),
      userCount: userBps.length,
    };
  }

  private learnSourceIds(path: string, hiddenLines: number[], returned: P.Breakpoint[], offset: number): void {
    for (const [id, key] of [...this.ids]) if (key.startsWith(`${path}:`)) this.ids.delete(id);
    hiddenLines.forEach((line, i) => {
      const bp = returned[offset + i];
      if (bp?.verified && bp.id !== undefined) this.ids.set(bp.id, `${path}:${line}`);
    });
  }

  forwardSourceBreakpoints(request: P.SetBreakpointsRequest): void {
    const path = request.arguments.source.path;
    if (!path || !this.hiddenSources.has(path)) {
      this.proxy.forward(request);
      return;
    }
    this.userSources.set(path, request.arguments);
    const { args, hiddenLines, userCount } = this.mergedSource(path);
    this.proxy.forward(request, args, (response) => {
      const all = ((response.body as { breakpoints?: P.Breakpoint[] } | undefined)?.breakpoints) ?? [];
      this.learnSourceIds(path, hiddenLines, all, userCount);
      return { ...response, body: { ...(response.body as object), breakpoints: all.slice(0, userCount) } } as P.Response;
    });
  }

  /** Sets (or, with an empty map, removes) hidden line breakpoints in one file; resolves to their IDs. */
  async setSourceLines(path: string, lines: Map<number, HiddenBreakpointSpec>): Promise<{ line: number; id?: number; message?: string; actualLine?: number }[]> {
    if (lines.size === 0) this.hiddenSources.delete(path);
    else this.hiddenSources.set(path, lines);
    const { args, hiddenLines, userCount } = this.mergedSource(path);
    const response = await this.proxy.request('setBreakpoints', args);
    const all = ((response.body as { breakpoints?: P.Breakpoint[] } | undefined)?.breakpoints) ?? [];
    this.learnSourceIds(path, hiddenLines, all, userCount);
    return hiddenLines.map((line, i) => {
      const bp = all[userCount + i];
      return { line, id: bp?.verified ? bp.id : undefined, message: bp?.message, actualLine: bp?.line };
    });
  }
}
