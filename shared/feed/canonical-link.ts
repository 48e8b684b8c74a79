/**
 * One spelling per article URL, so that the same story polled twice, or reached through a
 * newsletter link, gets the same identity. Only absolute http(s) URLs are links we store: other
 * schemes (javascript:, data:, mailto:) are never clickable in an alert.
 */

const MAX_LINK_LENGTH = 4_096;

// Parameters that identify the visit or the campaign, never the article. Compared lower-case.
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'msclkid', 'yclid', 'twclid', 'igshid', 'mc_cid', 'mc_eid',
  'ref', 'ref_src', 'ref_url', 'cmpid', 'ocid', 'at_medium', 'at_campaign', 'at_custom1', 'at_custom2',
  'at_custom3', 'at_custom4', 'at_link', 'at_bbc_team', 'at_format', 'at_ptr_name', '_ga', '_gl',
  'spm', 'wt.mc_id', 'wt_mc_id', 'xtor', 'mkt_tok', 'ito', 'guccounter', 'guce_referrer',
  'guce_referrer_sig', '__twitter_impression', 'smid', 'cid_source', 'sr_share', 'cmp',
]);

export function canonicalLink(href: string | undefined | null, base?: string): string | undefined {
  if (typeof href !== 'string') return undefined;
  const trimmed = href.trim();
  if (trimmed === '' || trimmed.length > MAX_LINK_LENGTH) return undefined;
  const url = parseUrl(trimmed, base);
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || url.hostname === '') return undefined;
  // WHATWG URL already lower-cases scheme and host, drops the default port and encodes IDNs.
  url.hash = '';
  url.username = '';
  url.password = '';
  if (url.hostname.endsWith('.')) url.hostname = url.hostname.replace(/\.+$/, '');
  // Google News links (news.google.com/rss/articles/...) point to an encoded redirect that only
  // Google's servers resolve; we cannot map them to the publisher offline, so they stay as they are.
  // Always assigned: it also drops a bare trailing "?".
  url.search = url.search === '' ? '' : keptQuery(url.search.slice(1));
  return url.href;
}

function parseUrl(href: string, base: string | undefined): URL | undefined {
  try {
    return base === undefined ? new URL(href) : new URL(href, base);
  } catch {
    if (base === undefined) return undefined;
    try {
      return new URL(href);
    } catch {
      return undefined;
    }
  }
}

/** The query without tracking parameters, the rest in their order and spelling. */
function keptQuery(query: string): string {
  const kept = query.split('&').filter((pair) => pair !== '' && !isTracking(pair));
  return kept.length === 0 ? '' : `?${kept.join('&')}`;
}

function isTracking(pair: string): boolean {
  const rawName = pair.split('=', 1)[0] ?? '';
  let name: string;
  try {
    name = decodeURIComponent(rawName.replace(/\+/g, ' ')).toLowerCase();
  } catch {
    name = rawName.toLowerCase();
  }
  return name.startsWith('utm_') || TRACKING_PARAMS.has(name);
}
