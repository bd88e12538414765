import * as assert from 'node:assert/strict';
import { Decoded, encodeMessage, FramingError, MAX_BODY_BYTES, MAX_HEADER_BYTES, MessageDecoder } from '../../src/dap/framing';

/** Builds a frame by hand (not through encodeMessage), with the byte length of the UTF-8 body. */
function frame(body: string, header?: string): Buffer {
  const bytes = Buffer.from(body, 'utf8');
  return Buffer.concat([Buffer.from(header ?? `Content-Length: ${bytes.length}\r\n\r\n`, 'ascii'), bytes]);
}

function messages(out: Decoded[]): unknown[] {
  return out.map((d) => {
    if ('error' in d) throw new Error(`unexpected error: ${d.error.message}`);
    return d.message;
  });
}

function errorOf(d: Decoded | undefined): FramingError {
  assert.ok(d, 'expected a decoded item');
  assert.ok('error' in d, `expected an error, got ${JSON.stringify(d)}`);
  assert.ok(d.error instanceof FramingError);
  return d.error;
}

const A = { seq: 1, type: 'request', command: 'initialize', arguments: { adapterID: 'go' } };
const B = { seq: 2, type: 'event', event: 'output', body: { output: 'héllo wörld € 𝄞\n' } };
const C = { seq: 3, type: 'response', request_seq: 1, success: true, command: 'initialize' };

describe('framing', () => {
  describe('MessageDecoder', () => {
    it('decodes one complete message', () => {
      const d = new MessageDecoder();
      assert.deepEqual(messages(d.push(frame(JSON.stringify(A)))), [A]);
    });

    it('returns nothing until the body is complete, then the message', () => {
      const d = new MessageDecoder();
      const buf = frame(JSON.stringify(A));
      assert.deepEqual(d.push(buf.subarray(0, buf.length - 1)), []);
      assert.deepEqual(messages(d.push(buf.subarray(buf.length - 1))), [A]);
    });

    it('decodes several messages from one chunk, in order', () => {
      const d = new MessageDecoder();
      const chunk = Buffer.concat([frame(JSON.stringify(A)), frame(JSON.stringify(B)), frame(JSON.stringify(C))]);
      assert.deepEqual(messages(d.push(chunk)), [A, B, C]);
    });

    it('decodes the same messages whatever byte boundary the stream is split at', () => {
      const stream = Buffer.concat([frame(JSON.stringify(A)), frame(JSON.stringify(B)), frame(JSON.stringify(C))]);
      for (let i = 0; i <= stream.length; i++) {
        const d = new MessageDecoder();
        const got = [...messages(d.push(stream.subarray(0, i))), ...messages(d.push(stream.subarray(i)))];
        assert.deepEqual(got, [A, B, C], `split at byte ${i}`);
      }
    });

    it('decodes the same messages at every pair of split points (three chunks)', () => {
      const stream = Buffer.concat([frame(JSON.stringify(A)), frame(JSON.stringify(C))]);
      for (let i = 0; i <= stream.length; i += 3) {
        for (let j = i; j <= stream.length; j += 5) {
          const d = new MessageDecoder();
          const got = [
            ...messages(d.push(stream.subarray(0, i))),
            ...messages(d.push(stream.subarray(i, j))),
            ...messages(d.push(stream.subarray(j))),
          ];
          assert.deepEqual(got, [A, C], `split at ${i}, ${j}`);
        }
      }
    });

    it('decodes a stream fed one byte at a time', () => {
      const stream = Buffer.concat([frame(JSON.stringify(B)), frame(JSON.stringify(A))]);
      const d = new MessageDecoder();
      const got: unknown[] = [];
      for (let i = 0; i < stream.length; i++) got.push(...messages(d.push(stream.subarray(i, i + 1))));
      assert.deepEqual(got, [B, A]);
    });

    it('uses the byte length, not the string length, for multi-byte UTF-8 bodies', () => {
      const body = JSON.stringify(B);
      assert.notEqual(Buffer.byteLength(body), body.length, 'test body must contain multi-byte characters');
      const stream = Buffer.concat([frame(body), frame(JSON.stringify(C))]);
      const d = new MessageDecoder();
      assert.deepEqual(messages(d.push(stream)), [B, C]);
    });

    it('decodes a multi-byte character split across chunks', () => {
      const buf = frame(JSON.stringify({ seq: 1, type: 'event', event: 'x', body: { s: '€' } }));
      const euro = buf.indexOf(Buffer.from('€', 'utf8'));
      assert.ok(euro > 0);
      const d = new MessageDecoder();
      assert.deepEqual(d.push(buf.subarray(0, euro + 1)), []);
      const [m] = messages(d.push(buf.subarray(euro + 1)));
      assert.equal((m as { body: { s: string } }).body.s, '€');
    });

    it('accepts other header fields and a case-insensitive, padded Content-Length', () => {
      const body = JSON.stringify(A);
      const header = `content-type: application/vscode-jsonrpc; charset=utf-8\r\ncontent-LENGTH:   ${Buffer.byteLength(body)}  \r\n\r\n`;
      const d = new MessageDecoder();
      assert.deepEqual(messages(d.push(frame(body, header))), [A]);
    });

    it('waits for a body as long as MAX_BODY_BYTES without failing', () => {
      const d = new MessageDecoder();
      assert.deepEqual(d.push(Buffer.from(`Content-Length: ${MAX_BODY_BYTES}\r\n\r\n{`)), []);
    });

    describe('fatal errors', () => {
      const cases: [string, string][] = [
        ['a non-numeric Content-Length', 'Content-Length: abc\r\n\r\n{}'],
        ['a negative Content-Length', 'Content-Length: -5\r\n\r\n{}'],
        ['a fractional Content-Length', 'Content-Length: 2.5\r\n\r\n{}'],
        ['an empty Content-Length', 'Content-Length: \r\n\r\n{}'],
        ['a Content-Length over ten digits', 'Content-Length: 12345678901\r\n\r\n{}'],
        ['a Content-Length over MAX_BODY_BYTES', `Content-Length: ${MAX_BODY_BYTES + 1}\r\n\r\n{}`],
        ['a header without Content-Length', 'Content-Type: application/json\r\n\r\n{}'],
        ['a header line without a colon', 'Content-Length 2\r\n\r\n{}'],
      ];
      for (const [what, raw] of cases) {
        it(`reports ${what} as fatal`, () => {
          const d = new MessageDecoder();
          const out = d.push(Buffer.from(raw, 'ascii'));
          assert.equal(out.length, 1);
          assert.equal(errorOf(out[0]).fatal, true);
        });
      }

      it('stops decoding after a fatal error, even valid messages', () => {
        const d = new MessageDecoder();
        const out = d.push(Buffer.concat([Buffer.from('Content-Length: x\r\n\r\n'), frame(JSON.stringify(A))]));
        assert.equal(out.length, 1);
        assert.equal(errorOf(out[0]).fatal, true);
        assert.deepEqual(d.push(frame(JSON.stringify(A))), []);
      });

      it('keeps messages decoded before a fatal error in the same chunk', () => {
        const d = new MessageDecoder();
        const out = d.push(Buffer.concat([frame(JSON.stringify(A)), Buffer.from('Content-Length: nope\r\n\r\n')]));
        assert.equal(out.length, 2);
        assert.deepEqual((out[0] as { message: unknown }).message, A);
        assert.equal(errorOf(out[1]).fatal, true);
      });

      it('accepts an unterminated header of exactly MAX_HEADER_BYTES but fails one byte later', () => {
        const d = new MessageDecoder();
        assert.deepEqual(d.push(Buffer.alloc(MAX_HEADER_BYTES, 'X')), []);
        const out = d.push(Buffer.from('X'));
        assert.equal(out.length, 1);
        assert.equal(errorOf(out[0]).fatal, true);
        assert.deepEqual(d.push(frame(JSON.stringify(A))), []);
      });

      it('fails on an unterminated header over 8 KiB arriving in one chunk', () => {
        assert.equal(MAX_HEADER_BYTES, 8 * 1024);
        const d = new MessageDecoder();
        const out = d.push(Buffer.from(`X-Padding: ${'a'.repeat(9000)}`));
        assert.equal(out.length, 1);
        assert.equal(errorOf(out[0]).fatal, true);
      });

      it('fails on a terminated header longer than 8 KiB', () => {
        const d = new MessageDecoder();
        const out = d.push(Buffer.from(`X-Padding: ${'a'.repeat(9000)}\r\nContent-Length: 2\r\n\r\n{}`));
        assert.equal(out.length, 1);
        assert.equal(errorOf(out[0]).fatal, true);
      });
    });

    describe('non-fatal errors', () => {
      it('reports a body that is not JSON and goes on with the next message', () => {
        const d = new MessageDecoder();
        const out = d.push(Buffer.concat([frame('{not json'), frame(JSON.stringify(A))]));
        assert.equal(out.length, 2);
        assert.equal(errorOf(out[0]).fatal, false);
        assert.deepEqual((out[1] as { message: unknown }).message, A);
        // And the stream keeps working in later chunks.
        assert.deepEqual(messages(d.push(frame(JSON.stringify(C)))), [C]);
      });

      it('reports an empty body (Content-Length: 0) and goes on', () => {
        const d = new MessageDecoder();
        const out = d.push(Buffer.concat([Buffer.from('Content-Length: 0\r\n\r\n'), frame(JSON.stringify(A))]));
        assert.equal(out.length, 2);
        assert.equal(errorOf(out[0]).fatal, false);
        assert.deepEqual((out[1] as { message: unknown }).message, A);
      });

      for (const body of ['[1,2]', '42', 'null', '"request"', 'true', '{}', '{"type":5}', '{"seq":1}']) {
        it(`reports JSON that is not a message object (${body}) and goes on`, () => {
          const d = new MessageDecoder();
          const out = d.push(Buffer.concat([frame(body), frame(JSON.stringify(C))]));
          assert.equal(out.length, 2);
          assert.equal(errorOf(out[0]).fatal, false);
          assert.deepEqual((out[1] as { message: unknown }).message, C);
        });
      }
    });
  });

  describe('encodeMessage', () => {
    it('writes Content-Length as the UTF-8 byte length and the JSON body', () => {
      const buf = encodeMessage(B);
      const text = buf.toString('utf8');
      const headerEnd = text.indexOf('\r\n\r\n');
      assert.ok(headerEnd > 0);
      const m = /^Content-Length: (\d+)$/.exec(text.slice(0, headerEnd));
      assert.ok(m, `header was ${JSON.stringify(text.slice(0, headerEnd))}`);
      const body = buf.subarray(Buffer.byteLength(text.slice(0, headerEnd + 4)));
      assert.equal(Number(m[1]), body.length);
      assert.equal(Number(m[1]), Buffer.byteLength(JSON.stringify(B)));
      assert.notEqual(Number(m[1]), JSON.stringify(B).length);
      assert.deepEqual(JSON.parse(body.toString('utf8')), B);
    });

    it('round-trips through MessageDecoder', () => {
      const d = new MessageDecoder();
      const stream = Buffer.concat([A, B, C].map((m) => encodeMessage(m)));
      assert.deepEqual(messages(d.push(stream)), [A, B, C]);
    });
  });
});
