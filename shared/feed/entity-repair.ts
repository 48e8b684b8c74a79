/**
 * Publishers routinely ship feeds with bare ampersands in URLs (`?a=1&b=2`) and HTML entities
 * (`&nbsp;`, `&eacute;`) that XML does not define. A strict XML parser rejects the whole feed for
 * one of them, so before parsing we rewrite them into XML that means the same thing. CDATA
 * sections and comments are copied untouched: entities are not references there.
 *
 * Only run on documents whose DOCTYPE declares no entities (those are refused earlier), so every
 * named reference other than the five XML ones is undeclared and safe to rewrite.
 */
import { decodeEntities } from '#shared/text/html-text.ts';

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const REFERENCE = /&(?:#(\d{1,8});|#[xX]([0-9a-fA-F]{1,8});|([A-Za-z][A-Za-z0-9]{0,31});)?/g;

export function repairEntities(xml: string): string {
  if (!xml.includes('&')) return xml;
  let out = '';
  let i = 0;
  while (i < xml.length) {
    const open = xml.indexOf('<!', i);
    if (open < 0) break;
    const closer = xml.startsWith('<![CDATA[', open) ? ']]>' : xml.startsWith('<!--', open) ? '-->' : undefined;
    if (!closer) {
      out += repairText(xml.slice(i, open + 2));
      i = open + 2;
      continue;
    }
    const close = xml.indexOf(closer, open + 4);
    const end = close < 0 ? xml.length : close + closer.length;
    out += repairText(xml.slice(i, open)) + xml.slice(open, end);
    i = end;
  }
  return out + repairText(xml.slice(i));
}

function repairText(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(REFERENCE, (whole, decimal?: string, hex?: string, name?: string) => {
    if (decimal !== undefined || hex !== undefined) {
      const code = decimal !== undefined ? parseInt(decimal, 10) : parseInt(hex!, 16);
      // The parser refuses references to characters XML forbids; dropping them loses nothing.
      return isXmlChar(code) ? whole : '';
    }
    if (name === undefined) return '&amp;';
    if (XML_ENTITIES.has(name)) return whole;
    const decoded = decodeEntities(whole);
    if (decoded === whole) return `&amp;${name};`;
    return Array.from(decoded, (char) => `&#${char.codePointAt(0)};`).join('');
  });
}

function isXmlChar(code: number): boolean {
  return (
    code === 0x9 || code === 0xa || code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}
