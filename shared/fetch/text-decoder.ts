/**
 * The WHATWG TextDecoder for a charset label, as browsers decode feeds, with two repairs:
 * windows-1252 (also what `iso-8859-1`, `latin1` and `ascii` mean on the web) is decoded by
 * our own table, and a BOM-less UTF-16 document labelled just "utf-16" may be big-endian.
 */

export interface BodyDecoder {
  decode(bytes: Uint8Array): string;
}

/**
 * Node 20.18.3+ and 22.13.0+ decode windows-1252 as ISO-8859-1, turning curly quotes, dashes
 * and € into C1 control characters (nodejs/node#56542, #60888). Only 0x80–0x9F differ, so the
 * fix is these 32 code points.
 */
const WINDOWS_1252_HIGH = [
  0x20ac, 0x0081, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0x008d, 0x017d,
  0x008f, 0x0090, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0x009d,
  0x017e, 0x0178,
].map((code) => String.fromCharCode(code));

const WINDOWS_1252: BodyDecoder = {
  decode: (bytes) =>
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
      .toString('latin1')
      .replace(/[\x80-\x9f]/g, (c) => WINDOWS_1252_HIGH[c.charCodeAt(0) - 0x80]!),
};

/** Undefined when the label names no text encoding (unknown, or WHATWG's "replacement"). */
export function textDecoderFor(label: string, bytes: Uint8Array): BodyDecoder | undefined {
  let decoder: InstanceType<typeof TextDecoder>;
  try {
    // We strip the BOM ourselves; invalid bytes become U+FFFD rather than losing the feed.
    decoder = new TextDecoder(label, { fatal: false, ignoreBOM: true });
  } catch {
    return undefined;
  }
  if (decoder.encoding === 'windows-1252') return WINDOWS_1252;
  // WHATWG reads a generic "utf-16" as little-endian; a document whose first character is
  // ASCII shows its byte order in where the zero byte sits.
  if (decoder.encoding === 'utf-16le' && label !== 'utf-16le' && bytes[0] === 0x00 && bytes[1] !== 0x00) {
    return new TextDecoder('utf-16be', { fatal: false, ignoreBOM: true });
  }
  return decoder;
}
