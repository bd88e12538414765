/**
 * Statement anatomy at the allocator stop: reads the allocator's `typ` (and, where it is nil, the
 * slice function's `et` and `growslice`'s old capacity) with plain expressions, decodes the runtime
 * type's name from memory, and lets core/anatomy.ts say what the allocation is.
 *
 * No function of the target is called: Delve refuses calls from inside the runtime, and a call would
 * allocate. Type descriptors are cached by address, so a statement that allocates the same type
 * many times costs one extra evaluation per allocation.
 */
import { AllocationFacts, argumentsToRead, classifyAllocation, findOperation } from '../core/anatomy';
import { decodeName, decodeTypeDescriptor, MAX_NAME_BYTES, NAME_CHUNK_BYTES, parseByteArray, RuntimeType, runtimeType, TYPE_DESCRIPTOR_BYTES } from '../core/anatomyType';
import type { StackFrame } from '../core/attribution';
import type { AllocationInspector } from './engine';
import type { StackSampler } from './stackSampler';

export interface AnatomyInspectorOptions {
  /** Inspect only the allocations this accepts (a whole-run count needs only those charged to user lines). */
  accept?: (frames: StackFrame[]) => boolean;
}

interface ModuleTypes {
  start: number;
  end: number;
}

export class AnatomyInspector implements AllocationInspector {
  private readonly types = new Map<number, RuntimeType | undefined>();
  /** `runtime.firstmoduledata`'s type section; null once it proved unreadable. */
  private moduleTypes?: ModuleTypes | null;

  constructor(private readonly options: AnatomyInspectorOptions = {}) {}

  async inspect(allocation: { goroutine: number; size: number; frames: StackFrame[]; allocator: string }, sampler: StackSampler): Promise<Record<string, unknown> | undefined> {
    if (this.options.accept && !this.options.accept(allocation.frames)) return undefined;
    const operation = findOperation(allocation.frames);
    const type = await this.typeOf(sampler, 'typ');
    const wanted = argumentsToRead(operation.operation, type !== undefined);
    const facts: AllocationFacts = { size: allocation.size, type };
    if (wanted.elementType || wanted.lengths) {
      const frameId = await this.frameId(sampler, allocation.goroutine, operation.index);
      if (frameId !== undefined) {
        if (wanted.elementType) facts.elementType = await this.typeOf(sampler, 'et', frameId);
        // Go 1.20+ names; Go 1.19's `old` slice argument reads stale at this point, so it is left alone.
        if (wanted.lengths) {
          if (facts.elementType === undefined) facts.newCap = await sampler.integer('newcap', frameId);
          facts.oldLen = await sampler.integer('oldLen', frameId);
          if (facts.oldLen !== undefined) facts.newLen = await sampler.integer('newLen', frameId);
        }
      }
    }
    return { ...classifyAllocation(allocation.frames, facts) };
  }

  private async frameId(sampler: StackSampler, goroutine: number, index: number): Promise<number | undefined> {
    const sample = await sampler.frames(goroutine, index + 1);
    return sample.raw[index]?.id;
  }

  /** The runtime type a `*abi.Type` expression points to, in a frame; undefined for nil or unreadable. */
  private async typeOf(sampler: StackSampler, expression: string, frameId?: number): Promise<RuntimeType | undefined> {
    const address = await sampler.integer(`uintptr(${expression})`, frameId);
    if (!address) return undefined;
    if (!this.types.has(address)) this.types.set(address, await this.readType(sampler, address));
    return this.types.get(address);
  }

  private async readType(sampler: StackSampler, address: number): Promise<RuntimeType | undefined> {
    const module = await this.readModuleTypes(sampler);
    // A type outside the first module (a plugin's, or one reflect built at run time) has its name elsewhere.
    if (!module || address < module.start || address >= module.end) return undefined;
    const raw = await this.readBytes(sampler, address, TYPE_DESCRIPTOR_BYTES);
    const descriptor = raw && decodeTypeDescriptor(raw);
    if (!descriptor) return undefined;
    const nameAddress = module.start + descriptor.str;
    let bytes = (await this.readBytes(sampler, nameAddress, NAME_CHUNK_BYTES)) ?? [];
    let decoded = decodeName(bytes);
    while (decoded && decoded.needed > bytes.length && bytes.length < MAX_NAME_BYTES) {
      const more = await this.readBytes(sampler, nameAddress + bytes.length, NAME_CHUNK_BYTES);
      if (!more) break;
      bytes = [...bytes, ...more];
      decoded = decodeName(bytes);
    }
    return decoded ? runtimeType(descriptor, decoded.name) : undefined;
  }

  private async readModuleTypes(sampler: StackSampler): Promise<ModuleTypes | undefined> {
    if (this.moduleTypes === undefined) {
      const start = await sampler.integer('runtime.firstmoduledata.types');
      const end = await sampler.integer('runtime.firstmoduledata.etypes');
      this.moduleTypes = start && end ? { start, end } : null;
    }
    return this.moduleTypes ?? undefined;
  }

  private async readBytes(sampler: StackSampler, address: number, count: number): Promise<number[] | undefined> {
    const rendered = await sampler.evaluate(`*(*[${count}]uint8)(0x${address.toString(16)})`);
    const bytes = rendered === undefined ? undefined : parseByteArray(rendered);
    return bytes && bytes.length === count ? bytes : undefined;
  }
}
