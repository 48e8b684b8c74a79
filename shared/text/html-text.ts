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
    // Own keys only: `&constructor;` must not decode to a function's source text.
    return Object.hasOwn(NAMED_ENTITIES, name) ? NAMED_ENTITIES[name]! : whole;
  });
}

// Elements whose content is never text a reader sees.
const DROPPED_ELEMENTS = new Set(['script', 'style', 'noscript', 'iframe', 'svg', 'template']);
const BLOCK_ELEMENTS = new Set([
  'p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'td', 'th', 'table',
  'blockquote', 'section', 'article', 'header', 'footer', 'figure', 'figcaption', 'hr', 'dd', 'dt',
]);
// C0 and C1 controls except tab/newline, plus the Unicode non-characters that break email headers.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\ufffe\uffff]/g;

const isNameStart = (code: number) => (code >= 97 && code <= 122) || (code >= 65 && code <= 90);

/**
 * Drops tags in one left-to-right pass with indexOf, never a backtracking regex: feeds are
 * hostile, and a lazy `<[^>]*>` or `[\s\S]*?</script>` scan over unclosed markup is quadratic.
 * What a browser would hide stays hidden: an unclosed comment or script swallows the rest.
 */
function stripTags(html: string): string {
  const lower = html.toLowerCase();
  const out: string[] = [];
  let textStart = 0;
  let i = html.indexOf('<');
  // Position of the next '>' at or after i; -1 once none is left, so stray '<' cost nothing more.
  let nextGt = -2;
  while (i >= 0 && i < html.length) {
    const next = html.charCodeAt(i + 1);
    let end = -1;
    let replacement = '';
    if (lower.startsWith('<!--', i)) {
      const close = html.indexOf('-->', i + 4);
      end = close < 0 ? html.length : close + 3;
    } else if (lower.startsWith('<![cdata[', i)) {
      const close = html.indexOf(']]>', i + 9);
      const stop = close < 0 ? html.length : close;
      replacement = html.slice(i + 9, stop);
      end = close < 0 ? html.length : close + 3;
    } else if (isNameStart(next) || next === 47 /* / */ || next === 33 /* ! */ || next === 63 /* ? */) {
      if (nextGt !== -1 && nextGt < i) nextGt = html.indexOf('>', i);
      if (nextGt >= 0) {
        end = nextGt + 1;
        const nameStart = next === 47 ? i + 2 : i + 1;
        let nameEnd = nameStart;
        while (nameEnd < end && /[a-z0-9]/.test(lower[nameEnd]!)) nameEnd++;
        const name = lower.slice(nameStart, nameEnd);
        if (next !== 47 && DROPPED_ELEMENTS.has(name)) {
          const close = lower.indexOf(`</${name}`, end);
          if (close < 0) end = html.length;
          else {
            const gt = html.indexOf('>', close);
            end = gt < 0 ? html.length : gt + 1;
          }
          replacement = ' ';
        } else if (BLOCK_ELEMENTS.has(name)) {
          replacement = ' ';
        }
      }
    }
    if (end < 0) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    out.push(html.slice(textStart, i), replacement);
    textStart = end;
    i = html.indexOf('<', end);
  }
  out.push(html.slice(textStart));
  return out.join('');
}

// Anything that would make htmlToText change a string: markup, entities, controls and
// non-characters, whitespace other than single inner spaces.
const NOT_YET_PLAIN = /[<&\u0000-\u001f\u007f-\u009f\ufffe\uffff]|[^\S ]|  |^ | $/;

/** HTML (or text with entities) to one line of plain text. */
export function htmlToText(html: string | undefined | null): string {
  if (!html) return '';
  // Titles and summaries pass through here more than once (parsing, identity, classifying);
  // from the second time on they are plain text already, and one scan tells so.
  if (!NOT_YET_PLAIN.test(html)) return html;
  let text = html.includes('<') ? stripTags(html) : html;
  text = decodeEntities(text);
  // Feeds double-escape often enough ("&lt;p&gt;", "&amp;#8217;") that a second pass is worth it.
  if (text.includes('<')) text = stripTags(text);
  text = decodeEntities(text);
  return text.replace(CONTROL, '').replace(/\s+/g, ' ').trim();
}
