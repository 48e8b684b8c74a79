/**
 * Which redirect targets a feed fetch follows. Pure, so each rule is tested without a server.
 */

export const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
export const PERMANENT_REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 308]);

export type RedirectTarget = { ok: true; url: URL } | { ok: false; reason: string };

export function resolveRedirect(from: URL, location: string | undefined): RedirectTarget {
  if (location === undefined || location.trim() === '') {
    return { ok: false, reason: `redirect from ${from.href} has no Location header` };
  }
  let target: URL;
  try {
    target = new URL(location.trim(), from);
  } catch {
    return { ok: false, reason: `redirect from ${from.href} to an invalid URL (${JSON.stringify(location)})` };
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') {
    return { ok: false, reason: `redirect to ${target.protocol} URL refused: only http and https are fetched` };
  }
  if (from.protocol === 'https:' && target.protocol === 'http:') {
    return { ok: false, reason: `redirect from https to ${target.href} refused: downgrade to plain http` };
  }
  if (target.username !== '' || target.password !== '') {
    return { ok: false, reason: `redirect to a URL with credentials refused` };
  }
  target.hash = '';
  return { ok: true, url: target };
}

/** The feed URL as given in the config, or why it cannot be fetched. */
export function parseFeedUrl(raw: string): RedirectTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: `${JSON.stringify(raw)} is not a valid URL` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { ok: false, reason: `${url.protocol} URLs are not fetched: only http and https` };
  }
  if (url.username !== '' || url.password !== '') {
    return { ok: false, reason: 'feed URLs with credentials are not supported' };
  }
  url.hash = '';
  return { ok: true, url };
}
