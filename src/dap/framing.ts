/**
 * The DAP wire format: `Content-Length: N\r\n\r\n` followed by N bytes of JSON.
 *
 * The decoder is strict where a mistake would desynchronise the stream (a missing or malformed
 * Content-Length, a header that never ends) and lenient where it would not (a body that is not
 * JSON is reported and skipped, since its length is still known).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';

export type DapMessage = DebugProtocol.ProtocolMessage & Record<string, unknown>;

export const MAX_HEADER_BYTES = 8 * 1024;
export const MAX_BODY_BYTES = 256 * 1024 * 1024;

const HEADER_END = Buffer.from('\r\n\r\n');

export class FramingError extends Error {
  /** True when the stream can no longer be read: the connection must be closed. */
  constructor(message: string, readonly fatal: boolean) {
    super(message);
  }
}

export type Decoded = { message: DapMessage } | { error: FramingError };

export class MessageDecoder {
  private buffer: Buffer = Buffer.alloc(0);
  private broken = false;

  /** Feeds bytes; returns every complete message (or error) they finish, in order. */
  push(chunk: Buffer): Decoded[] {
    if (this.broken) return [];
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);
    const out: Decoded[] = [];
    for (;;) {
      const headerEnd = this.buffer.indexOf(HEADER_END);
      if (headerEnd < 0) {
        if (this.buffer.length > MAX_HEADER_BYTES) out.push(this.fail(`DAP header longer than ${MAX_HEADER_BYTES} bytes`));
        return out;
      }
      if (headerEnd > MAX_HEADER_BYTES) {
        out.push(this.fail(`DAP header longer than ${MAX_HEADER_BYTES} bytes`));
        return out;
      }
      const length = parseContentLength(this.buffer.subarray(0, headerEnd).toString('ascii'));
      if (typeof length === 'string') {
        out.push(this.fail(length));
        return out;
      }
      const bodyStart = headerEnd + HEADER_END.length;
      if (this.buffer.length < bodyStart + length) return out;
      const body = this.buffer.subarray(bodyStart, bodyStart + length);
      this.buffer = this.buffer.subarray(bodyStart + length);
      out.push(decodeBody(body));
    }
  }

  private fail(reason: string): Decoded {
    this.broken = true;
    this.buffer = Buffer.alloc(0);
    return { error: new FramingError(reason, true) };
  }
}

function parseContentLength(header: string): number | string {
  let length: number | undefined;
  for (const line of header.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) return `malformed DAP header line ${JSON.stringify(line.slice(0, 80))}`;
    if (line.slice(0, colon).trim().toLowerCase() !== 'content-length') continue;
    const value = line.slice(colon + 1).trim();
    if (!/^\d{1,10}$/.test(value)) return `invalid Content-Length ${JSON.stringify(value.slice(0, 40))}`;
    length = Number(value);
  }
  if (length === undefined) return 'DAP header without Content-Length';
  if (length > MAX_BODY_BYTES) return `Content-Length ${length} exceeds the ${MAX_BODY_BYTES}-byte limit`;
  return length;
}

function decodeBody(body: Buffer): Decoded {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (e) {
    return { error: new FramingError(`DAP message is not JSON (${(e as Error).message})`, false) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value) || typeof (value as { type?: unknown }).type !== 'string') {
    return { error: new FramingError('DAP message is not an object with a "type"', false) };
  }
  return { message: value as DapMessage };
}

export function encodeMessage(message: object): Buffer {
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  return Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]);
}
