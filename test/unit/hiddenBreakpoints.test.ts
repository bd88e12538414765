import * as assert from 'node:assert/strict';
import type { DebugProtocol as P } from '@vscode/debugprotocol';
import { HiddenBreakpoints, HiddenBreakpointSpec } from '../../src/dap/hiddenBreakpoints';
import type { DapProxy } from '../../src/dap/proxy';

type Transform = (response: P.Response) => P.Response;

/**
 * The two DapProxy methods HiddenBreakpoints uses. Delve is played by `delve`, which answers a
 * breakpoint request with one P.Breakpoint per requested entry.
 */
class FakeProxy {
  forwarded: { request: P.Request; args: unknown; transform?: Transform }[] = [];
  requests: { command: string; args: unknown }[] = [];

  constructor(private readonly delve: (command: string, args: any) => P.Breakpoint[]) {}

  forward(request: P.Request, args: unknown = request.arguments, transform?: Transform): void {
    this.forwarded.push({ request, args, transform });
  }

  request(command: string, args?: unknown): Promise<P.Response> {
    this.requests.push({ command, args });
    return Promise.resolve(this.respond(command, args));
  }

  respond(command: string, args: unknown): P.Response {
    return { seq: 0, type: 'response', request_seq: 0, command, success: true, body: { breakpoints: this.delve(command, args) } };
  }

  /** What the client receives for the last forwarded request. */
  clientResponse(): P.Response {
    const last = this.forwarded[this.forwarded.length - 1];
    const response = this.respond(last.request.command, last.args);
    return last.transform ? last.transform(response) : response;
  }
}

/** A Delve that verifies everything, keeps IDs per name/line, and refuses names in `missing`. */
function fakeDelve(missing: Set<string> = new Set()) {
  const ids = new Map<string, number>();
  let next = 1;
  const idFor = (key: string) => {
    if (!ids.has(key)) ids.set(key, next++);
    return ids.get(key)!;
  };
  return (command: string, args: any): P.Breakpoint[] => {
    if (command === 'setFunctionBreakpoints') {
      return (args.breakpoints as P.FunctionBreakpoint[]).map((b) =>
        missing.has(b.name) ? { verified: false, message: `could not find function ${b.name}` } : { id: idFor(b.name), verified: true });
    }
    if (command === 'setInstructionBreakpoints') {
      return (args.breakpoints as P.InstructionBreakpoint[]).map((b) => ({ id: idFor(`ins ${b.instructionReference}`), verified: true }));
    }
    const file = (args as P.SetBreakpointsArguments).source.path;
    return ((args as P.SetBreakpointsArguments).breakpoints ?? []).map((b) =>
      missing.has(`${file}:${b.line}`) ? { verified: false, message: 'no code' } : { id: idFor(`${file}:${b.line}`), verified: true, line: b.line });
  };
}

let seq = 100;
function fnRequest(...names: string[]): P.SetFunctionBreakpointsRequest {
  return { seq: seq++, type: 'request', command: 'setFunctionBreakpoints', arguments: { breakpoints: names.map((name) => ({ name })) } };
}
function insRequest(...refs: string[]): P.SetInstructionBreakpointsRequest {
  return { seq: seq++, type: 'request', command: 'setInstructionBreakpoints', arguments: { breakpoints: refs.map((instructionReference) => ({ instructionReference })) } };
}
function srcRequest(file: string, ...lines: number[]): P.SetBreakpointsRequest {
  return { seq: seq++, type: 'request', command: 'setBreakpoints', arguments: { source: { path: file }, breakpoints: lines.map((line) => ({ line })) } };
}

const specs = (...names: string[]) => new Map<string, HiddenBreakpointSpec>(names.map((n) => [n, {}]));
const MAIN = '/p/main.go';

function setup(missing?: Set<string>) {
  const proxy = new FakeProxy(fakeDelve(missing));
  const bps = new HiddenBreakpoints(proxy as unknown as DapProxy);
  return { proxy, bps };
}

describe('HiddenBreakpoints', () => {
  describe('function breakpoints', () => {
    it('sets hidden functions with their conditions and resolves to the names Delve verified', async () => {
      const { proxy, bps } = setup(new Set(['runtime.mallocgcTinySC2']));
      const verified = await bps.setFunctions(new Map<string, HiddenBreakpointSpec>([
        ['runtime.mallocgcSmallNoscan', { condition: 'size > 0' }],
        ['runtime.mallocgcTinySC2', {}],
        ['runtime.mallocgcLarge', { hitCondition: '> 2' }],
      ]));
      assert.equal(proxy.requests.length, 1);
      assert.equal(proxy.requests[0].command, 'setFunctionBreakpoints');
      assert.deepEqual((proxy.requests[0].args as P.SetFunctionBreakpointsArguments).breakpoints, [
        { name: 'runtime.mallocgcSmallNoscan', condition: 'size > 0' },
        { name: 'runtime.mallocgcTinySC2' },
        { name: 'runtime.mallocgcLarge', hitCondition: '> 2' },
      ]);
      assert.deepEqual([...verified].sort(), ['runtime.mallocgcLarge', 'runtime.mallocgcSmallNoscan']);
      for (const name of verified) {
        const ids = bps.idsOf('function', name);
        assert.equal(ids.length, 1, name);
        assert.equal(bps.isHidden(ids[0]), true);
        assert.deepEqual(bps.lookup(ids[0]), { kind: 'function', key: name, group: 'engine' });
      }
      assert.deepEqual(bps.idsOf('function', 'runtime.mallocgcTinySC2'), []);
      assert.deepEqual([...bps.unverified().keys()], ['runtime.mallocgcTinySC2']);
      assert.match(bps.unverified().get('runtime.mallocgcTinySC2')!, /could not find/);
    });

    it('isHidden and lookup know nothing of undefined and unknown IDs', async () => {
      const { bps } = setup();
      await bps.setFunctions(specs('runtime.mallocgc'));
      assert.equal(bps.isHidden(undefined), false);
      assert.equal(bps.isHidden(9999), false);
      assert.equal(bps.lookup(undefined), undefined);
      assert.equal(bps.lookup(9999), undefined);
    });

    it('appends the hidden entries to a client request and cuts the response back to the client entries', async () => {
      const { proxy, bps } = setup();
      await bps.setFunctions(specs('runtime.mallocgc', 'runtime.exit'));
      bps.forwardFunctionBreakpoints(fnRequest('main.work', 'main.helper'));
      const sent = proxy.forwarded[0].args as P.SetFunctionBreakpointsArguments;
      assert.deepEqual(sent.breakpoints.map((b) => b.name), ['main.work', 'main.helper', 'runtime.mallocgc', 'runtime.exit']);
      const returnedToClient = (proxy.clientResponse().body as { breakpoints: P.Breakpoint[] }).breakpoints;
      assert.equal(returnedToClient.length, 2);
      assert.ok(returnedToClient.every((b) => b.verified));
      // The client's breakpoints are numbered as plain Delve would number them: 1, 2.
      assert.deepEqual(returnedToClient.map((b) => b.id), [1, 2]);
      // The hidden IDs are still known after the client's request.
      assert.equal(bps.idsOf('function', 'runtime.mallocgc').length, 1);
      assert.equal(bps.idsOf('function', 'runtime.exit').length, 1);
    });

    it('keeps the client entries first when the hidden set changes later', async () => {
      const { proxy, bps } = setup();
      bps.forwardFunctionBreakpoints(fnRequest('main.work'));
      proxy.clientResponse();
      await bps.setFunctions(specs('runtime.mallocgc'));
      const sent = proxy.requests[0].args as P.SetFunctionBreakpointsArguments;
      assert.deepEqual(sent.breakpoints.map((b) => b.name), ['main.work', 'runtime.mallocgc']);
      const [id] = bps.idsOf('function', 'runtime.mallocgc');
      assert.deepEqual(bps.lookup(id), { kind: 'function', key: 'runtime.mallocgc', group: 'engine' });
      assert.deepEqual(bps.idsOf('function', 'main.work'), []);
    });

    it('lets a client entry shadow a hidden one of the same name, and restores it when the client drops it', async () => {
      const { proxy, bps } = setup();
      await bps.setFunctions(specs('runtime.mallocgc', 'runtime.exit'));
      bps.forwardFunctionBreakpoints(fnRequest('runtime.mallocgc'));
      const sent = proxy.forwarded[0].args as P.SetFunctionBreakpointsArguments;
      assert.deepEqual(sent.breakpoints.map((b) => b.name), ['runtime.mallocgc', 'runtime.exit']);
      const toClient = (proxy.clientResponse().body as { breakpoints: P.Breakpoint[] }).breakpoints;
      assert.equal(toClient.length, 1);
      // Its stops are the client's: the ID is not hidden.
      assert.equal(bps.isHidden(toClient[0].id), false);
      assert.deepEqual(bps.idsOf('function', 'runtime.mallocgc'), []);
      bps.forwardFunctionBreakpoints(fnRequest());
      assert.deepEqual((proxy.forwarded[1].args as P.SetFunctionBreakpointsArguments).breakpoints.map((b) => b.name), ['runtime.mallocgc', 'runtime.exit']);
      proxy.clientResponse();
      assert.equal(bps.idsOf('function', 'runtime.mallocgc').length, 1);
    });

    it('forgets the IDs of hidden functions that were removed', async () => {
      const { bps } = setup();
      await bps.setFunctions(specs('runtime.mallocgc', 'runtime.exit'));
      const [oldId] = bps.idsOf('function', 'runtime.mallocgc');
      const verified = await bps.setFunctions(specs('runtime.exit'));
      assert.deepEqual([...verified], ['runtime.exit']);
      assert.equal(bps.isHidden(oldId), false);
    });

    it('keeps hidden line breakpoint IDs when function breakpoints change', async () => {
      const { bps } = setup();
      const [placed] = await bps.setSourceLines(MAIN, new Map([[12, {}]]));
      await bps.setFunctions(specs('runtime.mallocgc'));
      await bps.setFunctions(specs());
      assert.equal(bps.isHidden(placed.id), true);
      assert.deepEqual(bps.lookup(placed.id), { kind: 'source', key: `${MAIN}:12`, group: 'engine' });
    });

    it('forwards the client arguments other than breakpoints unchanged', () => {
      const { proxy, bps } = setup();
      const request = fnRequest('main.f');
      (request.arguments as unknown as Record<string, unknown>).extra = 'kept';
      bps.forwardFunctionBreakpoints(request);
      assert.equal((proxy.forwarded[0].args as Record<string, unknown>).extra, 'kept');
      assert.equal(proxy.forwarded[0].request, request);
    });
  });

  describe('source breakpoints', () => {
    it('forwards a file without hidden lines untouched', () => {
      const { proxy, bps } = setup();
      const request = srcRequest('/p/other.go', 3, 4);
      bps.forwardSourceBreakpoints(request);
      assert.equal(proxy.forwarded.length, 1);
      assert.equal(proxy.forwarded[0].args, request.arguments);
      // Only the IDs change: to the client's numbering.
      const response = proxy.forwarded[0].transform!({ seq: 1, type: 'response', request_seq: 1, command: 'setBreakpoints', success: true, body: { breakpoints: [{ id: 41, verified: true, line: 3 }, { id: 42, verified: true, line: 4 }] } } as P.Response);
      assert.deepEqual((response.body as { breakpoints: P.Breakpoint[] }).breakpoints.map((b) => [b.id, b.line]), [[1, 3], [2, 4]]);
    });

    it('sets hidden lines with their conditions and reports their IDs and failures', async () => {
      const { proxy, bps } = setup(new Set([`${MAIN}:99`]));
      const placed = await bps.setSourceLines(MAIN, new Map<number, HiddenBreakpointSpec>([[12, { condition: 'i == 3' }], [99, {}]]));
      const sent = proxy.requests[0].args as P.SetBreakpointsArguments;
      assert.equal(proxy.requests[0].command, 'setBreakpoints');
      assert.equal(sent.source.path, MAIN);
      assert.deepEqual(sent.breakpoints, [{ line: 12, condition: 'i == 3' }, { line: 99 }]);
      assert.equal(placed.length, 2);
      assert.equal(placed[0].line, 12);
      assert.ok(placed[0].id !== undefined && bps.isHidden(placed[0].id));
      assert.deepEqual(bps.lookup(placed[0].id), { kind: 'source', key: `${MAIN}:12`, group: 'engine' });
      assert.equal(placed[1].line, 99);
      assert.equal(placed[1].id, undefined);
      assert.equal(placed[1].message, 'no code');
    });

    it('merges hidden lines into the client request for that file and hides them in the response', async () => {
      const { proxy, bps } = setup();
      const [placed] = await bps.setSourceLines(MAIN, new Map([[12, {}]]));
      bps.forwardSourceBreakpoints(srcRequest(MAIN, 5, 30));
      const sent = proxy.forwarded[0].args as P.SetBreakpointsArguments;
      assert.deepEqual(sent.breakpoints!.map((b) => b.line), [5, 30, 12]);
      assert.equal(sent.lines, undefined);
      const toClient = (proxy.clientResponse().body as { breakpoints: P.Breakpoint[] }).breakpoints;
      assert.deepEqual(toClient.map((b) => b.line), [5, 30]);
      assert.equal(bps.isHidden(placed.id), true);
    });

    it('lets a client breakpoint on the same line take the place of the hidden one', async () => {
      const { proxy, bps } = setup();
      await bps.setSourceLines(MAIN, new Map([[12, {}]]));
      bps.forwardSourceBreakpoints(srcRequest(MAIN, 12));
      const sent = proxy.forwarded[0].args as P.SetBreakpointsArguments;
      assert.deepEqual(sent.breakpoints!.map((b) => b.line), [12]);
      const toClient = (proxy.clientResponse().body as { breakpoints: P.Breakpoint[] }).breakpoints;
      assert.equal(toClient.length, 1);
      assert.deepEqual(bps.idsOf('source', `${MAIN}:12`), []);
    });

    it('keeps the client breakpoints of a file when its hidden lines are removed', async () => {
      const { proxy, bps } = setup();
      const [placed] = await bps.setSourceLines(MAIN, new Map([[12, {}]]));
      bps.forwardSourceBreakpoints(srcRequest(MAIN, 5));
      proxy.clientResponse();
      const removed = await bps.setSourceLines(MAIN, new Map());
      assert.deepEqual(removed, []);
      const sent = proxy.requests[1].args as P.SetBreakpointsArguments;
      assert.deepEqual(sent.breakpoints!.map((b) => b.line), [5]);
      assert.equal(bps.isHidden(placed.id), false);
      // With no hidden lines left, the client's requests for the file pass untouched.
      const again = srcRequest(MAIN, 6);
      bps.forwardSourceBreakpoints(again);
      assert.equal(proxy.forwarded[1].args, again.arguments);
    });

    it('keeps client breakpoints set in a file before hidden lines were added to it', async () => {
      // Line scope sets its hidden line at configurationDone, after the client sent its breakpoints.
      const { proxy, bps } = setup();
      bps.forwardSourceBreakpoints(srcRequest(MAIN, 5));
      proxy.clientResponse();
      const [placed] = await bps.setSourceLines(MAIN, new Map([[12, {}]]));
      const sent = proxy.requests[0].args as P.SetBreakpointsArguments;
      assert.deepEqual(sent.breakpoints!.map((b) => b.line), [5, 12]);
      assert.deepEqual(bps.lookup(placed.id), { kind: 'source', key: `${MAIN}:12`, group: 'engine' });
    });

    it('removes hidden lines with an empty request for a file the client never touched', async () => {
      const { proxy, bps } = setup();
      await bps.setSourceLines(MAIN, new Map([[12, {}]]));
      await bps.setSourceLines(MAIN, new Map());
      const sent = proxy.requests[1].args as P.SetBreakpointsArguments;
      assert.equal(sent.source.path, MAIN);
      assert.deepEqual(sent.breakpoints, []);
    });

    it('keeps hidden function IDs when line breakpoints change', async () => {
      const { bps } = setup();
      await bps.setFunctions(specs('runtime.mallocgc'));
      const [fnId] = bps.idsOf('function', 'runtime.mallocgc');
      await bps.setSourceLines(MAIN, new Map([[12, {}]]));
      await bps.setSourceLines(MAIN, new Map());
      assert.equal(bps.isHidden(fnId), true);
    });

    it('keeps the hidden lines of other files, even one whose path extends this one', async () => {
      const { bps } = setup();
      const [a] = await bps.setSourceLines('/p/a.go', new Map([[1, {}]]));
      const [a2] = await bps.setSourceLines('/p/a.go2', new Map([[1, {}]]));
      await bps.setSourceLines('/p/b.go', new Map([[2, {}]]));
      await bps.setSourceLines('/p/b.go', new Map());
      await bps.setSourceLines('/p/a.go', new Map());
      assert.equal(bps.isHidden(a.id), false);
      assert.equal(bps.isHidden(a2.id), true);
    });
  });

  describe('instruction breakpoints', () => {
    it('forwards client instruction breakpoints untouched while there are no hidden ones', () => {
      const { proxy, bps } = setup();
      const request = insRequest('0x401000');
      bps.forwardInstructionBreakpoints(request);
      assert.equal(proxy.forwarded[0].args, request.arguments);
      const response = proxy.forwarded[0].transform!({ seq: 1, type: 'response', request_seq: 1, command: 'setInstructionBreakpoints', success: true, body: { breakpoints: [{ id: 17, verified: true }] } } as P.Response);
      assert.deepEqual((response.body as { breakpoints: P.Breakpoint[] }).breakpoints.map((b) => b.id), [1]);
    });

    it('merges hidden instructions after the client ones and cuts the response', async () => {
      const { proxy, bps } = setup();
      bps.forwardInstructionBreakpoints(insRequest('0x401000'));
      proxy.clientResponse();
      const ids = await bps.setInstructions(new Map([['0x402000', {}], ['0x401000', {}]]));
      const sent = proxy.requests[0].args as P.SetInstructionBreakpointsArguments;
      // The client's own 0x401000 wins over the hidden one.
      assert.deepEqual(sent.breakpoints.map((b) => b.instructionReference), ['0x401000', '0x402000']);
      assert.equal(ids.length, 1);
      assert.deepEqual(bps.lookup(ids[0]), { kind: 'instruction', key: '0x402000', group: 'engine' });

      bps.forwardInstructionBreakpoints(insRequest('0x403000'));
      const sent2 = proxy.forwarded[1].args as P.SetInstructionBreakpointsArguments;
      assert.deepEqual(sent2.breakpoints.map((b) => b.instructionReference), ['0x403000', '0x402000', '0x401000']);
      const toClient = (proxy.clientResponse().body as { breakpoints: P.Breakpoint[] }).breakpoints;
      assert.equal(toClient.length, 1);
      assert.equal(bps.idsOf('instruction', '0x401000').length, 1);
      assert.equal(bps.idsOf('instruction', '0x402000').length, 1);
    });

    it('forgets hidden instruction IDs when they are removed, and keeps the others kinds', async () => {
      const { bps } = setup();
      await bps.setFunctions(specs('runtime.mallocgc'));
      const [id] = await bps.setInstructions(new Map([['0x402000', {}]]));
      assert.deepEqual(await bps.setInstructions(new Map()), []);
      assert.equal(bps.isHidden(id), false);
      assert.equal(bps.idsOf('function', 'runtime.mallocgc').length, 1);
    });
  });
  describe('a restart', () => {
    it('forgets function and instruction breakpoints, the client\'s and the hidden ones, and keeps source lines', async () => {
      const { proxy, bps } = setup();
      bps.forwardFunctionBreakpoints(fnRequest('main.work'));
      proxy.clientResponse();
      await bps.setFunctions(specs('runtime.mallocgc'));
      const [line] = await bps.setSourceLines(MAIN, new Map([[12, {}]]));
      bps.forgetAddressBreakpoints();
      assert.deepEqual(bps.idsOf('function', 'runtime.mallocgc'), []);
      assert.equal(bps.isHidden(line.id), true, 'Delve restores line breakpoints');
      await bps.setFunctions(specs('runtime.exit'), 'exit');
      const sent = proxy.requests.filter((r) => r.command === 'setFunctionBreakpoints').pop()!.args as P.SetFunctionBreakpointsArguments;
      assert.deepEqual(sent.breakpoints.map((b) => b.name), ['runtime.mallocgc', 'runtime.exit'], 'the client\'s main.work is not revived');
    });
  });

  describe('owners', () => {
    it('replaces only the owner\'s own entries, and says whose a stop is', async () => {
      const { proxy, bps } = setup();
      await bps.setFunctions(specs('runtime.exit'), 'exit');
      await bps.setFunctions(specs('runtime.mallocgc'));
      await bps.setInstructions(new Map([['0x401000', {}]]), 'step return');
      await bps.setInstructions(new Map([['0x402000', {}]]));
      const last = proxy.requests.filter((r) => r.command === 'setFunctionBreakpoints').pop()!.args as P.SetFunctionBreakpointsArguments;
      assert.deepEqual(last.breakpoints.map((b) => b.name), ['runtime.exit', 'runtime.mallocgc']);
      const verified = await bps.setFunctions(specs());
      assert.deepEqual([...verified], [], 'the engine\'s own names');
      const [exitId] = bps.idsOf('function', 'runtime.exit');
      assert.equal(bps.lookup(exitId)?.group, 'exit', 'another owner\'s entry survives');
      const removed = await bps.setInstructions(new Map());
      assert.deepEqual(removed, []);
      const [returnId] = bps.idsOf('instruction', '0x401000');
      assert.equal(bps.lookup(returnId)?.group, 'step return');
      assert.deepEqual(bps.idsOf('instruction', '0x402000'), []);
    });
  });
});
