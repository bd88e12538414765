/**
 * Reading a Go runtime type descriptor (`*abi.Type`, `runtime._type` up to Go 1.20) from raw bytes,
 * as a debugger sees it: no function of the runtime can be called at an allocator stop (Delve
 * refuses calls from inside the runtime), so the name is decoded the way `rtype.string()` does it.
 *
 * The layout (64-bit) is the same from Go 1.19 to 1.27: Size_ at +0, PtrBytes at +8, TFlag at +20,
 * Kind_ at +23, Str (a name offset from the module's `types` base) at +40; 48 bytes in all.
 */

export const TYPE_DESCRIPTOR_BYTES = 48;
/** How many name bytes one read fetches (Delve shows 64 array elements by default). */
export const NAME_CHUNK_BYTES = 64;
/** Longer names are cut here: a type name is for people, not for parsing. */
export const MAX_NAME_BYTES = 256;

const TFLAG_EXTRA_STAR = 1 << 1;

export interface TypeDescriptor {
  /** Size of one value of the type (for arrays: of one element). */
  size: number;
  /** Bytes of the value that may hold pointers: 0 means the GC never scans it ("noscan"). */
  ptrBytes: number;
  tflag: number;
  /** The kind with Go ≤ 1.25's direct-interface bit masked off (reflect.Kind numbering). */
  kind: number;
  /** Offset of the name from the module's `types` base. */
  str: number;
}

export interface RuntimeType {
  name: string;
  size: number;
  /** The GC scans objects of this type. */
  pointers: boolean;
}

/** Parses Delve's rendering of a byte array: `[64]uint8 [1,9,42,...]`. */
export function parseByteArray(rendered: string): number[] | undefined {
  const m = /\[([\d,\s]*)(?:\.\.\.[^\]]*)?\]\s*$/.exec(rendered.trim());
  if (!m) return undefined;
  const values = m[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
  return values.every((v) => Number.isInteger(v) && v >= 0 && v < 256) ? values : undefined;
}

function littleEndian(bytes: number[], offset: number, width: number): number {
  let value = 0;
  for (let i = width - 1; i >= 0; i--) value = value * 256 + bytes[offset + i];
  return value;
}

export function decodeTypeDescriptor(bytes: number[]): TypeDescriptor | undefined {
  if (bytes.length < TYPE_DESCRIPTOR_BYTES) return undefined;
  const str = littleEndian(bytes, 40, 4);
  return {
    size: littleEndian(bytes, 0, 8),
    ptrBytes: littleEndian(bytes, 8, 8),
    tflag: bytes[20],
    kind: bytes[23] & 0x1f,
    str: str >= 2 ** 31 ? str - 2 ** 32 : str,
  };
}

/**
 * A runtime name: one flags byte, a uvarint length, then the bytes. Returns the name and how many
 * bytes the whole encoding needs, so that a caller holding too few can read more.
 */
export function decodeName(bytes: number[]): { name: string; needed: number } | undefined {
  let length = 0;
  let i = 1;
  for (let shift = 0; ; shift += 7, i++) {
    if (i >= bytes.length || shift > 28) return undefined;
    length += (bytes[i] & 0x7f) * 2 ** shift;
    if ((bytes[i] & 0x80) === 0) break;
  }
  const start = i + 1;
  const available = bytes.slice(start, start + length);
  return { name: Buffer.from(available).toString('utf8'), needed: start + length };
}

/** The type's name as the runtime prints it (`rtype.string()`): the stored name may carry an extra `*`. */
export function typeName(descriptor: TypeDescriptor, storedName: string): string {
  return descriptor.tflag & TFLAG_EXTRA_STAR && storedName.startsWith('*') ? storedName.slice(1) : storedName;
}

export function runtimeType(descriptor: TypeDescriptor, storedName: string): RuntimeType {
  return { name: typeName(descriptor, storedName), size: descriptor.size, pointers: descriptor.ptrBytes > 0 };
}
