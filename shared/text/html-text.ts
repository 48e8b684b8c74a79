/**
 * Plain text out of the HTML fragments feeds put in titles and summaries: tags dropped (script
 * and style with their content), entities decoded, control characters removed, whitespace
 * collapsed. Good enough for classification and plain-text email; it is not an HTML sanitiser.
 */

const NAMED_ENTITIES: Record<string, string> = {
  amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ', ensp: ' ', emsp: ' ', thinsp: ' ',
  ndash: '–', mdash: '—', hellip: '…', lsquo: '‘', rsquo: '’', sbquo: '‚', ldquo: '“', rdquo: '”',
  bdquo: '„', laquo: '«', raquo: '»', lsaquo: '‹', rsaquo: '›', euro: '€', pound: '£', yen: '¥',
  cent: '¢', copy: '©', reg: '®', trade: '™', deg: '°', middot: '·', bull: '•', sect: '§',
  para: '¶', times: '×', divide: '÷', plusmn: '±', shy: '', zwnj: '', zwj: '', iexcl: '¡',
  iquest: '¿', ordm: 'º', ordf: 'ª', dagger: '†', prime: '′',
  Agrave: 'À', Aacute: 'Á', Acirc: 'Â', Atilde: 'Ã', Auml: 'Ä', Aring: 'Å', AElig: 'Æ', Ccedil: 'Ç',
  Egrave: 'È', Eacute: 'É', Ecirc: 'Ê', Euml: 'Ë', Igrave: 'Ì', Iacute: 'Í', Icirc: 'Î', Iuml: 'Ï',
  Ntilde: 'Ñ', Ograve: 'Ò', Oacute: 'Ó', Ocirc: 'Ô', Otilde: 'Õ', Ouml: 'Ö', Oslash: 'Ø', Ugrave: 'Ù',
  Uacute: 'Ú', Ucirc: 'Û', Uuml: 'Ü', Yacute: 'Ý', szlig: 'ß', agrave: 'à', aacute: 'á', acirc: 'â',
  atilde: 'ã', auml: 'ä', aring: 'å', aelig: 'æ', ccedil: 'ç', egrave: 'è', eacute: 'é', ecirc: 'ê',
  euml: 'ë', igrave: 'ì', iacute: 'í', icirc: 'î', iuml: 'ï', ntilde: 'ñ', ograve: 'ò', oacute: 'ó',
  ocirc: 'ô', otilde: 'õ', ouml: 'ö', oslash: 'ø', ugrave: 'ù', uacute: 'ú', ucirc: 'û', uuml: 'ü',
  yacute: 'ý', yuml: 'ÿ', OElig: 'Œ', oelig: 'œ', Scaron: 'Š', scaron: 'š', Zcaron: 'Ž', zcaron: 'ž',
};

const ENTITY = /&(#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/g;

export function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(ENTITY, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      if (!Number.isFinite(code) || code <= 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) return ' ';
      return String.fromCodePoint(code);
    }
    return NAMED_ENTITIES[name] ?? whole;
  });
}

const DROPPED_ELEMENTS = /<(script|style|noscript|iframe|svg|template)\b[^>]*>[\s\S]*?<\/\1\s*>/gi;
const BLOCK_TAGS = /<\/?(p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|blockquote|section|article|header|footer|figure|figcaption)\b[^>]*>/gi;
const ANY_TAG = /<\/?[a-zA-Z][^<>]*>|<!--[\s\S]*?-->|<!\[CDATA\[|\]\]>/g;
// C0 and C1 controls except tab/newline, plus the Unicode non-characters that break email headers.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g;

/** HTML (or text with entities) to one line of plain text. */
export function htmlToText(html: string | undefined | null): string {
  if (!html) return '';
  let text = html;
  if (text.includes('<')) {
    text = text.replace(DROPPED_ELEMENTS, ' ').replace(BLOCK_TAGS, ' ').replace(ANY_TAG, '');
  }
  // Feeds double-escape often enough ("&amp;#8217;") that a second pass is worth it.
  text = decodeEntities(decodeEntities(text));
  if (text.includes('<')) text = text.replace(ANY_TAG, '');
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}
