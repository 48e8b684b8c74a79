import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { charsetFromContentType, charsetFromXmlProlog, decodeBody, sniffBom } from '#shared/fetch/charset.ts';
import { BodyDecodeError, BodyTooLargeError, parseContentEncoding, readBoundedBody } from '#shared/fetch/decompress.ts';
import { parseFeedUrl, resolveRedirect } from '#shared/fetch/redirect-policy.ts';
import { MAX_RETRY_AFTER_SECONDS, parseRetryAfter } from '#shared/fetch/retry-after.ts';

/** The fetcher's pure parts, without a server. */

async function* chunks(...parts: Buffer[]): AsyncGenerator<Buffer> {
  yield* parts;
}

describe('charset', () => {
  it('reads the charset parameter of a Content-Type', () => {
    expect(charsetFromContentType('text/xml; charset=Windows-1251')).toBe('windows-1251');
    expect(charsetFromContentType('text/xml;charset="koi8-u"; foo=bar')).toBe('koi8-u');
    expect(charsetFromContentType('application/rss+xml')).toBeUndefined();
    expect(charsetFromContentType(undefined)).toBeUndefined();
  });

  it('sniffs UTF-8 and UTF-16 byte order marks', () => {
    expect(sniffBom(Buffer.from([0xef, 0xbb, 0xbf, 0x3c]))).toEqual({ charset: 'utf-8', length: 3 });
    expect(sniffBom(Buffer.from([0xff, 0xfe, 0x3c, 0x00]))).toEqual({ charset: 'utf-16le', length: 2 });
    expect(sniffBom(Buffer.from([0xfe, 0xff, 0x00, 0x3c]))).toEqual({ charset: 'utf-16be', length: 2 });
    expect(sniffBom(Buffer.from('<?xml'))).toBeUndefined();
  });

  it('reads the XML prolog, also in UTF-16 without a BOM', () => {
    expect(charsetFromXmlProlog(Buffer.from(`<?xml version="1.0" encoding='ISO-8859-2'?><rss/>`))).toBe('iso-8859-2');
    expect(charsetFromXmlProlog(Buffer.from('<?xml version="1.0"?><rss/>'))).toBeUndefined();
    expect(charsetFromXmlProlog(Buffer.from('<rss encoding="koi8-u"/>'))).toBeUndefined();
    expect(charsetFromXmlProlog(Buffer.from('<?xml version="1.0" encoding="utf-16"?><rss/>', 'utf16le'))).toBe('utf-16');
    expect(charsetFromXmlProlog(iconv.encode('<?xml version="1.0" encoding="UTF-16BE"?><a/>', 'utf-16be'))).toBe('utf-16be');
  });

  it.each([
    ['koi8-u', 'Київ і Харків'],
    ['windows-1250', 'Zażółć gęślą jaźń'],
    ['windows-1252', 'naïve café – “quoted”'],
    ['iso-8859-2', 'Příliš žluťoučký kůň'],
  ])('decodes %s from the header', (charset, text) => {
    const decoded = decodeBody(iconv.encode(`<t>${text}</t>`, charset), `text/xml; charset=${charset}`);
    expect(decoded).toEqual({ text: `<t>${text}</t>`, charset, source: 'header' });
  });

  it('decodes windows-1252 bytes 0x80-0x9F as browsers do, also under the iso-8859-1 label', () => {
    // € ‚ ƒ „ … † ‡ ˆ ‰ Š ‹ Œ Ž ‘ ’ “ ” • – — ˜ ™ š › œ ž Ÿ; 0x81 0x8D 0x8F 0x90 0x9D map to themselves.
    const high = Buffer.from(Array.from({ length: 32 }, (_, i) => 0x80 + i));
    const expected = '€\u0081‚ƒ„…†‡ˆ‰Š‹Œ\u008dŽ\u008f\u0090‘’“”•–—˜™š›œ\u009džŸ';
    for (const label of ['windows-1252', 'iso-8859-1', 'latin1', 'us-ascii']) {
      expect(decodeBody(high, `text/xml; charset=${label}`), label).toEqual({ text: expected, charset: label, source: 'header' });
    }
  });

  it('reads a BOM-less big-endian document labelled just "utf-16" as big-endian', () => {
    const xml = '<?xml version="1.0" encoding="UTF-16"?><t>Ключ</t>';
    expect(decodeBody(iconv.encode(xml, 'utf-16be'), undefined)).toEqual({ text: xml, charset: 'utf-16', source: 'xml-prolog' });
    expect(decodeBody(iconv.encode(xml, 'utf-16le'), undefined)).toEqual({ text: xml, charset: 'utf-16', source: 'xml-prolog' });
  });

  it('prefers the header to the prolog, and the BOM to both', () => {
    const xml = '<?xml version="1.0" encoding="windows-1251"?><t>Ключ</t>';
    expect(decodeBody(iconv.encode(xml, 'koi8-u'), 'text/xml; charset=koi8-u')).toMatchObject({ text: xml, charset: 'koi8-u', source: 'header' });
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(xml)]);
    expect(decodeBody(bom, 'text/xml; charset=koi8-u')).toEqual({ text: xml, charset: 'utf-8', source: 'bom' });
  });

  it('falls back to UTF-8 with a warning for unknown or non-text labels, trying the prolog first', () => {
    expect(decodeBody(Buffer.from('<t>é</t>'), 'text/xml; charset=base64')).toEqual({
      text: '<t>é</t>',
      charset: 'utf-8',
      source: 'default',
      warning: 'unknown charset "base64" in the Content-Type header; decoded as UTF-8',
    });
    const prolog = iconv.encode('<?xml version="1.0" encoding="windows-1251"?><t>Ключ</t>', 'windows-1251');
    expect(decodeBody(prolog, 'text/xml; charset=nonsense')).toMatchObject({
      charset: 'windows-1251',
      source: 'xml-prolog',
      warning: 'unknown charset "nonsense" in the Content-Type header',
    });
    expect(decodeBody(Buffer.from('<t/>'), undefined)).toEqual({ text: '<t/>', charset: 'utf-8', source: 'default' });
    // WHATWG maps these labels to its "replacement" encoding, which would turn the feed into one U+FFFD.
    expect(decodeBody(Buffer.from('<t>é</t>'), 'text/xml; charset=iso-2022-kr')).toMatchObject({
      text: '<t>é</t>',
      charset: 'utf-8',
      warning: 'unknown charset "iso-2022-kr" in the Content-Type header; decoded as UTF-8',
    });
  });
});

describe('retry-after', () => {
  const now = new Date('2025-07-01T12:00:00Z');
  it('parses seconds and HTTP dates, capped and never negative', () => {
    expect(parseRetryAfter('120', now)).toBe(120);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Tue, 01 Jul 2025 12:05:00 GMT', now)).toBe(300);
    expect(parseRetryAfter('Tue, 01 Jul 2025 11:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('99999999', now)).toBe(MAX_RETRY_AFTER_SECONDS);
    expect(parseRetryAfter('Fri, 01 Jan 2100 00:00:00 GMT', now)).toBe(MAX_RETRY_AFTER_SECONDS);
  });

  it('ignores absent and garbage values', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter('1.5', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});

describe('redirect policy', () => {
  const from = new URL('https://feeds.example/a/rss.xml');

  it('resolves relative locations and drops fragments', () => {
    expect(resolveRedirect(from, '../b/atom.xml#top')).toEqual({ ok: true, url: new URL('https://feeds.example/b/atom.xml') });
    expect(resolveRedirect(from, '//cdn.example/rss')).toMatchObject({ ok: true, url: new URL('https://cdn.example/rss') });
  });

  it('refuses other schemes, an https-to-http downgrade, credentials and missing locations', () => {
    expect(resolveRedirect(from, 'file:///etc/passwd')).toEqual({
      ok: false,
      reason: 'redirect to file: URL refused: only http and https are fetched',
    });
    expect(resolveRedirect(from, 'javascript:alert(1)')).toMatchObject({ ok: false });
    expect(resolveRedirect(from, 'data:text/xml,<rss/>')).toMatchObject({ ok: false });
    expect(resolveRedirect(from, 'http://feeds.example/rss.xml')).toEqual({
      ok: false,
      reason: 'redirect from https to http://feeds.example/rss.xml refused: downgrade to plain http',
    });
    expect(resolveRedirect(from, 'https://user:pw@feeds.example/')).toMatchObject({ ok: false });
    expect(resolveRedirect(from, undefined)).toMatchObject({ ok: false, reason: expect.stringMatching(/no Location header$/) });
    expect(resolveRedirect(from, 'http://[::1')).toMatchObject({ ok: false, reason: expect.stringMatching(/invalid URL/) });
  });

  it('allows an http-to-https upgrade', () => {
    expect(resolveRedirect(new URL('http://feeds.example/rss'), 'https://feeds.example/rss')).toMatchObject({ ok: true });
  });

  it('accepts only http(s) feed URLs without credentials', () => {
    expect(parseFeedUrl('https://feeds.example/rss')).toMatchObject({ ok: true });
    expect(parseFeedUrl('ftp://feeds.example/rss')).toMatchObject({ ok: false });
    expect(parseFeedUrl('http://a:b@feeds.example/rss')).toMatchObject({ ok: false });
    expect(parseFeedUrl('')).toMatchObject({ ok: false });
  });
});

describe('decompress', () => {
  it('parses Content-Encoding lists and refuses unknown codings', () => {
    expect(parseContentEncoding(undefined)).toEqual([]);
    expect(parseContentEncoding('identity')).toEqual([]);
    expect(parseContentEncoding('X-Gzip')).toEqual(['gzip']);
    expect(parseContentEncoding('deflate, br')).toEqual(['deflate', 'br']);
    expect(() => parseContentEncoding('compress')).toThrow(BodyDecodeError);
  });

  it('undoes stacked codings in reverse order', async () => {
    const body = Buffer.from('<rss/>');
    const meter = { bytes: 0 };
    const twice = gzipSync(gzipSync(body));
    expect(await readBoundedBody(chunks(twice), ['gzip', 'gzip'], 1024, meter)).toEqual(body);
    expect(meter.bytes).toBe(twice.length);
  });

  it('stops at the cap on the wire and after decompression', async () => {
    const meter = { bytes: 0 };
    await expect(readBoundedBody(chunks(Buffer.alloc(600), Buffer.alloc(600)), [], 1024, meter)).rejects.toThrow(
      new BodyTooLargeError(1024, 'on the wire'),
    );
    expect(meter.bytes).toBe(1200);
    await expect(readBoundedBody(chunks(gzipSync(Buffer.alloc(4096))), ['gzip'], 1024, { bytes: 0 })).rejects.toThrow(
      'body exceeded 1024 bytes after decompression',
    );
  });

  it('reads an empty body', async () => {
    expect(await readBoundedBody(chunks(), ['gzip'], 1024, { bytes: 0 })).toEqual(Buffer.alloc(0));
  });
});
