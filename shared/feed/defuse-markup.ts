/**
 * Makes hostile HTML cheap for htmlToText. Its regexes scan lazily to the end of the input for
 * every unclosed construct (`<p` with no `>`, `<!--` with no `-->`, `<script>` with no
 * `</script>`), which is quadratic: 20 KB of "<p " took 50 ms, i.e. 25 s for one crafted feed of
 * 500 entries. This linear pass removes what makes them scan and changes nothing else:
 *
 * - everything from an unclosed comment or script/style-like element onwards is dropped, which is
 *   what a browser shows of it too;
 * - a `<` that cannot open a tag (another `<` comes before any `>`) becomes `&lt;`;
 * - an entity-encoded comment opener (`&lt;!--`) is broken up, because htmlToText decodes entities
 *   and then strips tags a second time.
 */

const DROPPED = 'script|style|noscript|iframe|svg|template';
const DROPPED_OPEN = new RegExp(`<(${DROPPED})\\b`, 'gi');
const DROPPED_CLOSE = new RegExp(`<\\/(${DROPPED})\\s*>`, 'gi');
const ENCODED_COMMENT_OPEN = /&(?:amp;)*(?:lt|#0*60|#x0*3c);!--/gi;

export function defuseMarkup(html: string): string {
  let text = html;
  if (text.includes('&')) text = text.replace(ENCODED_COMMENT_OPEN, '&lt;!- -');
  if (!text.includes('<')) return text;
  text = text.slice(0, unclosedStart(text));
  return escapeStrayOpeners(text);
}

/** Where the first comment or dropped element that is never closed starts; the length if none. */
function unclosedStart(text: string): number {
  let cut = text.length;
  const lastCommentClose = text.lastIndexOf('-->');
  const comment = text.indexOf('<!--', lastCommentClose < 0 ? 0 : lastCommentClose + 3);
  if (comment >= 0) cut = comment;
  const lastClose = new Map<string, number>();
  for (const match of text.matchAll(DROPPED_CLOSE)) lastClose.set(match[1]!.toLowerCase(), match.index);
  for (const match of text.matchAll(DROPPED_OPEN)) {
    if (match.index >= cut) break;
    if (match.index > (lastClose.get(match[1]!.toLowerCase()) ?? -1)) {
      cut = match.index;
      break;
    }
  }
  return cut;
}

function escapeStrayOpeners(text: string): string {
  const stray: number[] = [];
  let pending = -1;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code === 0x3c) {
      if (pending >= 0) stray.push(pending);
      pending = i;
    } else if (code === 0x3e) {
      pending = -1;
    }
  }
  if (pending >= 0) stray.push(pending);
  if (stray.length === 0) return text;
  let out = '';
  let from = 0;
  for (const at of stray) {
    out += `${text.slice(from, at)}&lt;`;
    from = at + 1;
  }
  return out + text.slice(from);
}
