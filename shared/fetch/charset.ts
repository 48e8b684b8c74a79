import { textDecoderFor } from '#shared/fetch/text-decoder.ts';

/**
 * Turns feed bytes into text. Precedence, as browsers do it: a byte order mark, then the
 * Content-Type charset, then the XML prolog's encoding, then UTF-8. An unknown label does not
 * lose the feed: it is decoded as UTF-8 and the outcome says so in `warning`.
 */

export type CharsetSource = 'bom' | 'header' | 'xml-prolog' | 'default';

export interface DecodedBody {
  text: string;
  /** The label actually used to decode, lower-case (e.g. "utf-8", "windows-1251"). */
  charset: string;
  source: CharsetSource;
  /** Set when a declared charset could not be used. */
  warning?: string;
}

const BOMS: ReadonlyArray<{ bytes: readonly number[]; charset: string }> = [
  { bytes: [0xef, 0xbb, 0xbf], charset: 'utf-8' },
  { bytes: [0xff, 0xfe], charset: 'utf-16le' },
  { bytes: [0xfe, 0xff], charset: 'utf-16be' },
];

export function charsetFromContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*(?:"([^"]*)"|([^;\s]*))/i.exec(contentType);
  const label = (match?.[1] ?? match?.[2] ?? '').trim().toLowerCase();
  return label === '' ? undefined : label;
}

export function sniffBom(bytes: Uint8Array): { charset: string; length: number } | undefined {
  for (const bom of BOMS) {
    if (bom.bytes.every((byte, i) => bytes[i] === byte)) return { charset: bom.charset, length: bom.bytes.length };
  }
  return undefined;
}

/** The prolog is ASCII in every encoding a feed can use, except UTF-16 without a BOM. */
export function charsetFromXmlProlog(bytes: Uint8Array): string | undefined {
  let head: string;
  if (bytes[0] === 0x3c && bytes[1] === 0x00 && bytes[2] === 0x3f && bytes[3] === 0x00) {
    head = Buffer.from(bytes.subarray(0, 512)).toString('utf16le');
  } else if (bytes[0] === 0x00 && bytes[1] === 0x3c && bytes[2] === 0x00 && bytes[3] === 0x3f) {
    head = new TextDecoder('utf-16be').decode(bytes.subarray(0, 512));
  } else {
    head = Buffer.from(bytes.subarray(0, 256)).toString('latin1');
  }
  const prolog = /^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/.exec(head);
  return prolog?.[1]?.toLowerCase();
}

export function decodeBody(bytes: Buffer, contentType: string | undefined): DecodedBody {
  const bom = sniffBom(bytes);
  if (bom) {
    const text = textDecoderFor(bom.charset, bytes)!.decode(bytes.subarray(bom.length));
    return { text, charset: bom.charset, source: 'bom' };
  }

  const declared: Array<{ label: string | undefined; source: CharsetSource; where: string }> = [
    { label: charsetFromContentType(contentType), source: 'header', where: 'the Content-Type header' },
    { label: charsetFromXmlProlog(bytes), source: 'xml-prolog', where: 'the XML prolog' },
  ];
  let warning: string | undefined;
  for (const { label, source, where } of declared) {
    if (label === undefined) continue;
    const decoder = textDecoderFor(label, bytes);
    if (decoder) {
      const text = stripLeadingBom(decoder.decode(bytes));
      return warning ? { text, charset: label, source, warning } : { text, charset: label, source };
    }
    // An unusable header label falls through to the prolog, which may still be right.
    warning ??= `unknown charset "${label}" in ${where}`;
  }
  const text = stripLeadingBom(textDecoderFor('utf-8', bytes)!.decode(bytes));
  return warning
    ? { text, charset: 'utf-8', source: 'default', warning: `${warning}; decoded as UTF-8` }
    : { text, charset: 'utf-8', source: 'default' };
}

function stripLeadingBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}
