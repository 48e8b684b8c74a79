import { Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';

/**
 * Reads a response body with two caps: on the wire and after decompression. Decompression is
 * streamed and the reader stops pulling as soon as either cap is passed, so a small gzip or
 * brotli bomb never inflates past `maxBytes` in memory.
 */

export type ContentCoding = 'gzip' | 'deflate' | 'br';

export class BodyTooLargeError extends Error {
  override readonly name = 'BodyTooLargeError';
  constructor(
    readonly maxBytes: number,
    readonly stage: 'on the wire' | 'after decompression',
  ) {
    super(`body exceeded ${maxBytes} bytes ${stage}`);
  }
}

export class BodyDecodeError extends Error {
  override readonly name = 'BodyDecodeError';
}

/** Content-Encoding values in the order the server applied them; identity dropped. */
export function parseContentEncoding(header: string | undefined): ContentCoding[] {
  if (!header) return [];
  const codings: ContentCoding[] = [];
  for (const raw of header.split(',')) {
    const token = raw.trim().toLowerCase();
    if (token === '' || token === 'identity') continue;
    if (token === 'gzip' || token === 'x-gzip') codings.push('gzip');
    else if (token === 'deflate') codings.push('deflate');
    else if (token === 'br') codings.push('br');
    else throw new BodyDecodeError(`unsupported Content-Encoding "${token}" (we ask for gzip, deflate or br)`);
  }
  return codings;
}

/** "deflate" is meant to be zlib-wrapped, but some servers send raw deflate; the header tells them apart. */
function looksLikeZlibHeader(chunk: Uint8Array): boolean {
  if (chunk.length < 2) return true;
  const cmf = chunk[0]!;
  const flg = chunk[1]!;
  return (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
}

function decoderFor(coding: ContentCoding, firstChunk: Uint8Array | undefined): Transform {
  switch (coding) {
    case 'gzip':
      return zlib.createGunzip();
    case 'br':
      return zlib.createBrotliDecompress();
    case 'deflate':
      return firstChunk === undefined || looksLikeZlibHeader(firstChunk) ? zlib.createInflate() : zlib.createInflateRaw();
  }
}

/** stream.pipeline with a variable number of transforms, which its typings cannot express. */
const pipelineOf = (
  source: Readable,
  transforms: readonly Transform[],
  sink: (decoded: AsyncIterable<Uint8Array>) => Promise<void>,
): Promise<void> => (pipeline as unknown as (...stages: unknown[]) => Promise<void>)(source, ...transforms, sink);

export interface WireMeter {
  /** Body bytes received so far, before decompression. */
  bytes: number;
}

export async function readBoundedBody(
  source: AsyncIterable<Uint8Array>,
  codings: readonly ContentCoding[],
  maxBytes: number,
  meter: WireMeter,
): Promise<Buffer> {
  const iterator = source[Symbol.asyncIterator]();

  // The first error raised by our own stages (the socket, a cap); when it tears the pipeline
  // down, the decoders report an abort of their own, which must not hide it.
  let cause: unknown;
  const remember = (err: unknown): unknown => {
    cause ??= err;
    return err;
  };

  async function* wire(first: Uint8Array): AsyncGenerator<Uint8Array> {
    try {
      yield first;
      for (;;) {
        const next = await iterator.next().catch((err: unknown) => {
          throw remember(err);
        });
        if (next.done) return;
        meter.bytes += next.value.length;
        if (meter.bytes > maxBytes) throw remember(new BodyTooLargeError(maxBytes, 'on the wire'));
        yield next.value;
      }
    } finally {
      // Stops the socket read when a later stage gave up early.
      await iterator.return?.();
    }
  }

  const head = await iterator.next();
  // An empty body stays empty whatever Content-Encoding claims (gunzip would call it truncated).
  if (head.done) return Buffer.alloc(0);
  const first = head.value;
  meter.bytes += first.length;
  if (meter.bytes > maxBytes) {
    await iterator.return?.();
    throw new BodyTooLargeError(maxBytes, 'on the wire');
  }

  const chunks: Buffer[] = [];
  let total = 0;
  const collect = async (decoded: AsyncIterable<Uint8Array>) => {
    for await (const chunk of decoded) {
      total += chunk.length;
      if (total > maxBytes) {
        throw remember(new BodyTooLargeError(maxBytes, codings.length > 0 ? 'after decompression' : 'on the wire'));
      }
      chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length));
    }
  };

  // The server applied codings left to right, so they come off right to left.
  const decoders = [...codings].reverse().map((coding, index) => decoderFor(coding, index === 0 ? first : undefined));
  const decoderErrors = new Set<unknown>();
  for (const decoder of decoders) decoder.once('error', (err) => decoderErrors.add(err));
  try {
    if (decoders.length === 0) await collect(wire(first));
    else await pipelineOf(Readable.from(wire(first), { objectMode: false }), decoders, collect);
  } catch (err) {
    if (cause !== undefined) throw cause;
    if (decoderErrors.has(err)) {
      throw new BodyDecodeError(`could not decompress the ${codings.join(', ')} body: ${(err as Error).message}`);
    }
    throw err;
  }
  return Buffer.concat(chunks, total);
}
