import * as assert from 'node:assert/strict';
import type { StackFrame } from '../../src/core/attribution';
import { AnatomyInspector } from '../../src/dap/allocationInspector';
import type { StackSampler } from '../../src/dap/stackSampler';

const TYPES = 0x480000;
const rt = (name: string): StackFrame => ({ name, path: `/usr/local/go/src/runtime/${name}.go`, line: 1 });
const user: StackFrame = { name: 'main.main', path: '/p/main.go', line: 3 };

/** A target's memory and variables, answering the expressions the inspector sends as Delve would. */
class FakeTarget {
  readonly memory = new Map<number, number>();
  readonly variables = new Map<string, number>();
  readonly expressions: string[] = [];

  write(address: number, bytes: number[]): void {
    bytes.forEach((b, i) => this.memory.set(address + i, b));
  }

  /** A type descriptor at `address` whose name (stored with a leading `*` when `extraStar`) is at TYPES + str. */
  defineType(address: number, name: string, size: number, pointers: boolean, str: number): void {
    const d = new Array<number>(48).fill(0);
    d[0] = size & 0xff;
    d[1] = (size >> 8) & 0xff;
    d[8] = pointers ? 8 : 0;
    d[20] = 2; // TFlagExtraStar
    d[40] = str & 0xff;
    d[41] = (str >> 8) & 0xff;
    this.write(address, d);
    const stored = Buffer.from(`*${name}`);
    this.write(TYPES + str, [0, stored.length, ...stored]);
  }

  sampler(frameVariables: Map<number, Map<string, number>> = new Map()): StackSampler {
    const evaluate = async (expression: string, frameId?: number): Promise<string | undefined> => {
      this.expressions.push(frameId === undefined ? expression : `${expression}@${frameId}`);
      const read = /^\*\(\*\[(\d+)\]uint8\)\(0x([0-9a-f]+)\)$/.exec(expression);
      if (read) {
        const [count, address] = [Number(read[1]), parseInt(read[2], 16)];
        return `[${count}]uint8 [${Array.from({ length: count }, (_, i) => this.memory.get(address + i) ?? 0).join(',')}]`;
      }
      const name = /^uintptr\((\w+)\)$/.exec(expression)?.[1] ?? expression;
      const value = (frameId === undefined ? this.variables : frameVariables.get(frameId))?.get(name);
      return value === undefined ? undefined : `${value} = 0x${value.toString(16)}`;
    };
    return {
      evaluate,
      integer: async (expression: string, frameId?: number) => {
        const r = await evaluate(expression, frameId);
        return r === undefined ? undefined : Number(/^-?\d+/.exec(r)![0]);
      },
      frames: async (_g: number, levels: number) => ({ frames: [], raw: Array.from({ length: levels }, (_, i) => ({ id: 1000 + i, name: '', line: 0, column: 0 })), complete: false }),
    } as unknown as StackSampler;
  }
}

describe('AnatomyInspector: reading the allocation at the stop', () => {
  it('names the allocator\'s type from memory, once per type', async () => {
    const target = new FakeTarget();
    target.variables.set('runtime.firstmoduledata.types', TYPES);
    target.variables.set('runtime.firstmoduledata.etypes', TYPES + 0x10000);
    target.defineType(TYPES + 0x100, 'map.group[int]int', 136, false, 0x2000);
    target.variables.set('typ', TYPES + 0x100);
    const inspector = new AnatomyInspector();
    const frames = [rt('runtime.mallocgc'), rt('runtime.newarray'), { ...rt('maps.newGroups'), path: '/usr/local/go/src/internal/runtime/maps/group.go' }, user];
    const sampler = target.sampler();
    const first = await inspector.inspect({ goroutine: 1, size: 17408, frames, allocator: 'runtime.mallocgc' }, sampler);
    assert.deepEqual(first, { kind: 'swissmap.groups', type: 'map.group[int]int', elements: 128, scan: false });
    const reads = target.expressions.length;
    await inspector.inspect({ goroutine: 1, size: 272, frames, allocator: 'runtime.mallocgc' }, sampler);
    assert.deepEqual(target.expressions.slice(reads), ['uintptr(typ)'], 'a known type costs one evaluation');
  });

  it('reads a long name in more than one chunk', async () => {
    const target = new FakeTarget();
    target.variables.set('runtime.firstmoduledata.types', TYPES);
    target.variables.set('runtime.firstmoduledata.etypes', TYPES + 0x10000);
    const long = `struct { F uintptr; ${'x'.repeat(80)} int }`;
    target.defineType(TYPES + 0x200, long, 16, false, 0x3000);
    target.variables.set('typ', TYPES + 0x200);
    const details = await new AnatomyInspector().inspect({ goroutine: 1, size: 16, frames: [rt('runtime.mallocgc'), rt('runtime.newobject'), user], allocator: 'runtime.mallocgc' }, target.sampler());
    assert.deepEqual(details, { kind: 'closure', type: long, scan: false });
  });

  it('takes a nil typ\'s element type and lengths from growslice\'s frame', async () => {
    const target = new FakeTarget();
    target.variables.set('runtime.firstmoduledata.types', TYPES);
    target.variables.set('runtime.firstmoduledata.etypes', TYPES + 0x10000);
    target.variables.set('typ', 0);
    target.defineType(TYPES + 0x300, 'int', 8, false, 0x4000);
    // Frame 2 (growslice) has the id 1002 in the fake's stack.
    const growslice = new Map([['et', TYPES + 0x300], ['oldLen', 512], ['newLen', 513]]);
    const details = await new AnatomyInspector().inspect(
      { goroutine: 1, size: 6784, frames: [rt('runtime.mallocgcSmallNoscan'), rt('runtime.mallocgc'), rt('runtime.growslice'), user], allocator: 'runtime.mallocgcSmallNoscan' },
      target.sampler(new Map([[1002, growslice]])),
    );
    assert.deepEqual(details, { kind: 'slice.grow', type: 'int', elements: 848, oldCap: 512, scan: false });
  });

  it('leaves out what it cannot read, and what it was told to skip', async () => {
    const target = new FakeTarget();
    target.variables.set('typ', 0x10);
    const inspector = new AnatomyInspector({ accept: (frames) => frames.some((f) => f.path === '/p/main.go') });
    const frames = [rt('runtime.mallocgc'), rt('runtime.newobject'), user];
    assert.deepEqual(await inspector.inspect({ goroutine: 1, size: 8, frames, allocator: 'runtime.mallocgc' }, target.sampler()), { kind: 'new', scan: false });
    assert.equal(await inspector.inspect({ goroutine: 1, size: 8, frames: frames.slice(0, 2), allocator: 'runtime.mallocgc' }, target.sampler()), undefined);
  });
});
