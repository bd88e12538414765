import * as assert from 'node:assert/strict';
import { decodeName, decodeTypeDescriptor, parseByteArray, runtimeType, typeName } from '../../src/core/anatomyType';

/** A 48-byte type descriptor with the fields the decoder reads. */
function descriptorBytes(fields: { size: number; ptrBytes: number; tflag: number; kind: number; str: number }): number[] {
  const bytes = new Array<number>(48).fill(0);
  const put = (offset: number, width: number, value: number) => {
    for (let i = 0; i < width; i++) bytes[offset + i] = Math.floor(value / 256 ** i) % 256;
  };
  put(0, 8, fields.size);
  put(8, 8, fields.ptrBytes);
  bytes[20] = fields.tflag;
  bytes[23] = fields.kind;
  put(40, 4, fields.str < 0 ? fields.str + 2 ** 32 : fields.str);
  return bytes;
}

function nameBytes(name: string, flags = 0): number[] {
  const data = [...Buffer.from(name, 'utf8')];
  const length: number[] = [];
  let n = data.length;
  do {
    length.push((n & 0x7f) | (n >= 0x80 ? 0x80 : 0));
    n >>= 7;
  } while (n > 0);
  return [flags, ...length, ...data];
}

describe('anatomyType: runtime type descriptors read as bytes', () => {
  it('parses Delve\'s rendering of a byte array', () => {
    assert.deepEqual(parseByteArray('[4]uint8 [1,9,42,109]'), [1, 9, 42, 109]);
    assert.deepEqual(parseByteArray('[0]uint8 []'), []);
    assert.equal(parseByteArray('(unreadable could not read memory)'), undefined);
    assert.equal(parseByteArray('[2]int [300,1]'), undefined);
  });

  it('decodes size, pointer bytes, flags, kind (without the direct-interface bit) and name offset', () => {
    const d = decodeTypeDescriptor(descriptorBytes({ size: 17408, ptrBytes: 0, tflag: 2, kind: 25 | 32, str: 11513 }));
    assert.deepEqual(d, { size: 17408, ptrBytes: 0, tflag: 2, kind: 25, str: 11513 });
    assert.equal(decodeTypeDescriptor(descriptorBytes({ size: 8, ptrBytes: 8, tflag: 0, kind: 22, str: -4 }))?.str, -4);
    assert.equal(decodeTypeDescriptor([1, 2, 3]), undefined);
  });

  it('decodes a name and says how many bytes the whole name needs', () => {
    assert.deepEqual(decodeName(nameBytes('*maps.Map', 1)), { name: '*maps.Map', needed: 11 });
    const long = `struct { F uintptr; ${'x'.repeat(150)} int }`;
    const bytes = nameBytes(long);
    assert.equal(bytes[1] & 0x80, 0x80, 'a length of 128 or more takes two varint bytes');
    assert.deepEqual(decodeName(bytes), { name: long, needed: bytes.length });
    const cut = decodeName(bytes.slice(0, 64));
    assert.equal(cut?.needed, bytes.length, 'a short read still knows the full length');
    assert.equal(decodeName([0]), undefined);
  });

  it('drops the extra star the runtime stores for named types', () => {
    const named = { size: 48, ptrBytes: 24, tflag: 7, kind: 25, str: 0 };
    assert.equal(typeName(named, '*maps.Map'), 'maps.Map');
    assert.equal(typeName({ ...named, tflag: 8 }, '*maps.table'), '*maps.table');
    assert.deepEqual(runtimeType(named, '*maps.Map'), { name: 'maps.Map', size: 48, pointers: true });
    assert.equal(runtimeType({ ...named, ptrBytes: 0 }, '*x').pointers, false);
  });
});
