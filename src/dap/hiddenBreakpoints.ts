/**
 * Keeps the proxy's breakpoints alive inside the client's.
 *
 * Delve's setFunctionBreakpoints, setInstructionBreakpoints and setBreakpoints (per source file)
 * each replace the whole set of their kind, so every such request from the client is sent with the
 * hidden entries appended, and the response is cut back to the client's entries. Delve keeps a
 * breakpoint's ID when a request names it again.
 */
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { BreakpointIds } from './breakpointIds';
import type { DapProxy } from './proxy';

export interface HiddenBreakpointSpec {
  condition?: string;
  hitCondition?: string;
}

export type HiddenKind = 'function' | 'source' | 'instruction';

export interface HiddenId {
  kind: HiddenKind;
  /** Function name, `path:line`, or instruction reference. */
  key: string;
  /** Who set it: the engine, or the stop protocol itself (the exit path, a step's way back). */
  group: string;
}

/** Hidden entries by owner; each owner replaces only its own. */
type Groups = Map<string, Map<string, HiddenBreakpointSpec>>;

const ENGINE = 'engine';

/** The union of all owners' entries, first owner first, each key once, with its owner. */
function flatten(groups: Groups): Map<string, { spec: HiddenBreakpointSpec; group: string }> {
  const out = new Map<string, { spec: HiddenBreakpointSpec; group: string }>();
  for (const [group, specs] of groups) for (const [key, spec] of specs) if (!out.has(key)) out.set(key, { spec, group });
  return out;
}

type Returned = { breakpoints?: P.Breakpoint[] } | undefined;

function returned(response: P.Response): P.Breakpoint[] {
  return (response.body as Returned)?.breakpoints ?? [];
}

function cut(response: P.Response, all: P.Breakpoint[], keep: number, ids: BreakpointIds): P.Response {
  const breakpoints = all.slice(0, keep).map((b) => ({ ...b }));
  ids.rewriteAll(breakpoints);
  return { ...response, body: { ...(response.body as object), breakpoints } } as P.Response;
}

export class HiddenBreakpoints {
  private userFunctions: P.FunctionBreakpoint[] = [];
  private readonly hiddenFunctions: Groups = new Map();
  private userInstructions: P.InstructionBreakpoint[] = [];
  private readonly hiddenInstructions: Groups = new Map();
  private readonly userSources = new Map<string, P.SetBreakpointsArguments>();
  private readonly hiddenSources = new Map<string, Map<number, HiddenBreakpointSpec>>();
  private readonly ids = new Map<number, HiddenId>();
  private lastUnverified = new Map<string, string>();
  /** The IDs the client sees for its own breakpoints. */
  readonly clientIds = new BreakpointIds();

  constructor(private readonly proxy: DapProxy) {}

  isHidden(id: number | undefined): boolean {
    return id !== undefined && this.ids.has(id);
  }

  lookup(id: number | undefined): HiddenId | undefined {
    return id === undefined ? undefined : this.ids.get(id);
  }

  idsOf(kind: HiddenKind, key: string): number[] {
    return [...this.ids.entries()].filter(([, h]) => h.kind === kind && h.key === key).map(([id]) => id);
  }

  /**
   * A restart: Delve sets function and instruction breakpoints by address, and those cannot be
   * carried into the new process (proc.Restart drops them), the client's and the hidden ones
   * alike. The client's are not sent again unless the client sends them.
   */
  forgetAddressBreakpoints(): void {
    this.userFunctions = [];
    this.userInstructions = [];
    this.forget('function');
    this.forget('instruction');
  }

  /** Why each hidden function breakpoint Delve refused was refused, from the last application. */
  unverified(): Map<string, string> {
    return this.lastUnverified;
  }

  private forget(kind: HiddenKind, keyPrefix = ''): void {
    for (const [id, h] of [...this.ids]) if (h.kind === kind && h.key.startsWith(keyPrefix)) this.ids.delete(id);
  }

  private learn(kind: HiddenKind, keys: string[], all: P.Breakpoint[], offset: number, groupOf: (key: string) => string = () => ENGINE): void {
    if (kind === 'function') this.lastUnverified = new Map();
    keys.forEach((key, i) => {
      const bp = all[offset + i];
      if (bp?.verified && bp.id !== undefined) this.ids.set(bp.id, { kind, key, group: groupOf(key) });
      else if (kind === 'function') this.lastUnverified.set(key, bp?.message ?? 'not verified');
    });
  }

  // ---- function breakpoints --------------------------------------------------------------

  /** A client entry of the same name as a hidden one wins: its stops are the client's. */
  private mergedFunctions(): { breakpoints: P.FunctionBreakpoint[]; hiddenNames: string[]; groupOf: (key: string) => string } {
    const userNames = new Set(this.userFunctions.map((b) => b.name));
    const hidden = flatten(this.hiddenFunctions);
    const hiddenNames = [...hidden.keys()].filter((name) => !userNames.has(name));
    const breakpoints = [...this.userFunctions, ...hiddenNames.map((name) => ({ name, ...hidden.get(name)!.spec }))];
    return { breakpoints, hiddenNames, groupOf: (key) => hidden.get(key)?.group ?? ENGINE };
  }

  /** Forwards a client's setFunctionBreakpoints with the hidden entries merged in. */
  forwardFunctionBreakpoints(request: P.SetFunctionBreakpointsRequest): void {
    this.userFunctions = request.arguments?.breakpoints ?? [];
    const { breakpoints, hiddenNames, groupOf } = this.mergedFunctions();
    const userCount = this.userFunctions.length;
    this.proxy.forward(request, { ...request.arguments, breakpoints }, (response) => {
      const all = returned(response);
      this.forget('function');
      this.learn('function', hiddenNames, all, userCount, groupOf);
      return cut(response, all, userCount, this.clientIds);
    });
  }

  /**
   * Replaces one owner's hidden function breakpoints and applies them; resolves to the names of
   * that owner's that Delve accepted.
   */
  async setFunctions(specs: Map<string, HiddenBreakpointSpec>, group = ENGINE): Promise<Set<string>> {
    this.hiddenFunctions.set(group, new Map(specs));
    const { breakpoints, hiddenNames, groupOf } = this.mergedFunctions();
    const response = await this.proxy.request('setFunctionBreakpoints', { breakpoints });
    this.forget('function');
    this.learn('function', hiddenNames, returned(response), this.userFunctions.length, groupOf);
    return new Set([...this.ids.values()].filter((h) => h.kind === 'function' && h.group === group).map((h) => h.key));
  }

  // ---- instruction breakpoints -----------------------------------------------------------

  private mergedInstructions(): { breakpoints: P.InstructionBreakpoint[]; hiddenRefs: string[]; groupOf: (key: string) => string } {
    const userRefs = new Set(this.userInstructions.map((b) => b.instructionReference));
    const hidden = flatten(this.hiddenInstructions);
    const hiddenRefs = [...hidden.keys()].filter((ref) => !userRefs.has(ref));
    const breakpoints = [...this.userInstructions, ...hiddenRefs.map((instructionReference) => ({ instructionReference, ...hidden.get(instructionReference)!.spec }))];
    return { breakpoints, hiddenRefs, groupOf: (key) => hidden.get(key)?.group ?? ENGINE };
  }

  private get hasHiddenInstructions(): boolean {
    return [...this.hiddenInstructions.values()].some((specs) => specs.size > 0);
  }

  forwardInstructionBreakpoints(request: P.SetInstructionBreakpointsRequest): void {
    this.userInstructions = request.arguments?.breakpoints ?? [];
    if (!this.hasHiddenInstructions) {
      this.proxy.forward(request, request.arguments, (response) => cut(response, returned(response), returned(response).length, this.clientIds));
      return;
    }
    const { breakpoints, hiddenRefs, groupOf } = this.mergedInstructions();
    const userCount = this.userInstructions.length;
    this.proxy.forward(request, { ...request.arguments, breakpoints }, (response) => {
      const all = returned(response);
      this.forget('instruction');
      this.learn('instruction', hiddenRefs, all, userCount, groupOf);
      return cut(response, all, userCount, this.clientIds);
    });
  }

  /** Replaces one owner's hidden instruction breakpoints; resolves to the Delve IDs of that owner's accepted. */
  async setInstructions(specs: Map<string, HiddenBreakpointSpec>, group = ENGINE): Promise<number[]> {
    this.hiddenInstructions.set(group, new Map(specs));
    const { breakpoints, hiddenRefs, groupOf } = this.mergedInstructions();
    const response = await this.proxy.request('setInstructionBreakpoints', { breakpoints });
    this.forget('instruction');
    this.learn('instruction', hiddenRefs, returned(response), this.userInstructions.length, groupOf);
    return [...this.ids.entries()].filter(([, h]) => h.kind === 'instruction' && h.group === group).map(([id]) => id);
  }

  /**
   * Takes every hidden breakpoint out of Delve, leaving the client's as they are: before detaching
   * from a Delve that outlives the session (a headless server keeps its breakpoints for the next
   * client, and the program would halt at ours with no one there).
   */
  async removeAll(): Promise<void> {
    const functions = [...this.hiddenFunctions.values()].some((specs) => specs.size > 0);
    const instructions = this.hasHiddenInstructions;
    this.hiddenFunctions.clear();
    this.hiddenInstructions.clear();
    const sources = [...this.hiddenSources.keys()];
    const requests: Promise<unknown>[] = [];
    if (functions) requests.push(this.proxy.request('setFunctionBreakpoints', { breakpoints: this.userFunctions }));
    if (instructions) requests.push(this.proxy.request('setInstructionBreakpoints', { breakpoints: this.userInstructions }));
    for (const path of sources) requests.push(this.setSourceLines(path, new Map()));
    await Promise.all(requests);
    this.ids.clear();
  }

  /** Other breakpoint requests (data breakpoints) carry IDs from the same counter. */
  forwardRenumbered(request: P.Request): void {
    this.proxy.forward(request, request.arguments, (response) => cut(response, returned(response), returned(response).length, this.clientIds));
  }

  // ---- source breakpoints ----------------------------------------------------------------

  private mergedSource(path: string): { args: P.SetBreakpointsArguments; hiddenLines: number[]; userCount: number } {
    const user = this.userSources.get(path) ?? { source: { path }, breakpoints: [] };
    const userBps = user.breakpoints ?? [];
    const userLines = new Set(userBps.map((b) => b.line));
    const hidden = [...(this.hiddenSources.get(path) ?? new Map<number, HiddenBreakpointSpec>()).entries()].filter(([line]) => !userLines.has(line));
    return {
      args: { ...user, breakpoints: [...userBps, ...hidden.map(([line, spec]) => ({ line, ...spec }))], lines: undefined },
      hiddenLines: hidden.map(([line]) => line),
      userCount: userBps.length,
    };
  }

  forwardSourceBreakpoints(request: P.SetBreakpointsRequest): void {
    const path = request.arguments.source.path;
    if (path) this.userSources.set(path, request.arguments);
    if (!path || !this.hiddenSources.has(path)) {
      this.proxy.forward(request, request.arguments, (response) => cut(response, returned(response), returned(response).length, this.clientIds));
      return;
    }
    const { args, hiddenLines, userCount } = this.mergedSource(path);
    this.proxy.forward(request, args, (response) => {
      const all = returned(response);
      this.forget('source', `${path}:`);
      this.learn('source', hiddenLines.map((l) => `${path}:${l}`), all, userCount);
      return cut(response, all, userCount, this.clientIds);
    });
  }

  /** Sets (or, with an empty map, removes) hidden line breakpoints in one file. */
  async setSourceLines(path: string, lines: Map<number, HiddenBreakpointSpec>): Promise<{ line: number; id?: number; message?: string }[]> {
    if (lines.size === 0) this.hiddenSources.delete(path);
    else this.hiddenSources.set(path, lines);
    const { args, hiddenLines, userCount } = this.mergedSource(path);
    const response = await this.proxy.request('setBreakpoints', args);
    const all = returned(response);
    this.forget('source', `${path}:`);
    this.learn('source', hiddenLines.map((l) => `${path}:${l}`), all, userCount);
    return hiddenLines.map((line, i) => {
      const bp = all[userCount + i];
      return { line, id: bp?.verified ? bp.id : undefined, message: bp?.message };
    });
  }
}
