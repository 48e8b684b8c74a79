import { stripUnsafeChars } from '#shared/feed/safe-text.ts';
import type { FeedEntry } from './feed-list-merge.ts';

/**
 * The config's feeds as OPML 2.0, the subscription list every reader imports (Inoreader,
 * Feedly, Miniflux and FreshRSS among them): one flat `<outline type="rss">` per feed with both
 * `text` (required by the spec) and `title` (what most readers show), `xmlUrl`, and `language`
 * when the config has one. Atom feeds are `type="rss"` too: OPML has no other feed type.
 */

export interface OpmlHead {
  title: string;
  dateCreated: Date;
}

export function writeOpml(feeds: readonly FeedEntry[], head: OpmlHead): string {
  const outlines = feeds.map((feed) => {
    const attributes: Array<[string, string]> = [
      ['type', 'rss'],
      ['text', feed.name],
      ['title', feed.name],
      ['xmlUrl', feed.url],
    ];
    if (feed.language) attributes.push(['language', feed.language]);
    return `    <outline ${attributes.map(([name, value]) => `${name}="${escapeAttribute(value)}"`).join(' ')}/>`;
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<opml version="2.0">',
    '  <head>',
    `    <title>${escapeText(head.title)}</title>`,
    // OPML 2.0 dates are RFC 822, which toUTCString writes.
    `    <dateCreated>${head.dateCreated.toUTCString()}</dateCreated>`,
    '  </head>',
    '  <body>',
    ...outlines,
    '  </body>',
    '</opml>',
    '',
  ].join('\n');
}

// Characters XML 1.0 cannot carry at all, even as references.
const NOT_XML = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function escapeText(value: string): string {
  return stripUnsafeChars(value).replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Also tab and line breaks, which a parser would otherwise normalise to spaces inside attributes. */
function escapeAttribute(value: string): string {
  return escapeText(value)
    .replace(/"/g, '&quot;')
    .replace(/\t/g, '&#9;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;');
}
