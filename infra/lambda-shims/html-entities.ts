import { decodeEntities } from '#shared/text/html-text.ts';

/**
 * rss-parser requires the `entities` package (40 KB of tables) only for its content snippets,
 * which fundwatch does not read (parse-feed.ts takes content fields itself). Bundled in its
 * place: the same decoding, by the decoder the rest of fundwatch uses.
 */
export const decodeHTML = (text: string): string => decodeEntities(text);
export const decodeXML = decodeHTML;
export const decode = decodeHTML;
