/**
 * Stable item ids. Publishers edit headlines and summaries after publishing, so the id comes
 * from what they keep: the GUID, else the canonical link, and only as a last resort from the
 * text. Re-polling the same item must give the same id, or subscribers get the story twice.
 */
import { createHash } from 'node:crypto';
import { htmlToText } from '#shared/text/html-text.ts';
import { canonicalLink } from '#shared/feed/canonical-link.ts';

export interface IdentityInput {
  guid?: string;
  link?: string;
  title?: string;
  summary?: string;
  /**
   * The feed's URL. Short opaque GUIDs ("12345") are unique only within one publisher's system,
   * so they are scoped by the feed's host; URL, URN and tag: GUIDs and long opaque ones are not.
   */
  feedUrl?: string;
}

const ID_HEX_LENGTH = 24;

export function itemId(input: IdentityInput): string {
  return hash(identityKey(input));
}

/** The prefixed key the id is hashed from; exported for tests and debugging. */
export function identityKey({ guid, link, title, summary, feedUrl }: IdentityInput): string {
  const canonical = canonicalLink(link);
  const trimmedGuid = guid?.trim() ?? '';
  if (trimmedGuid !== '') {
    // A GUID that is just the article URL is the link: same id whether or not the feed sends it.
    const guidAsLink = canonicalLink(trimmedGuid);
    if (guidAsLink !== undefined && (canonical === undefined || guidAsLink === canonical)) return `link:${guidAsLink}`;
    if (isGloballyUnique(trimmedGuid)) return `guid:${trimmedGuid}`;
    return `guid:${hostOf(feedUrl)}:${trimmedGuid}`;
  }
  if (canonical !== undefined) return `link:${canonical}`;
  return `text:${hostOf(feedUrl)}:${normalise(title)}\n${normalise(summary)}`;
}

function isGloballyUnique(guid: string): boolean {
  return guid.includes(':') || guid.length >= 20;
}

function hostOf(feedUrl: string | undefined): string {
  if (!feedUrl) return '';
  try {
    return new URL(feedUrl).hostname;
  } catch {
    return '';
  }
}

function normalise(text: string | undefined): string {
  return htmlToText(text).normalize('NFKC').toLowerCase();
}

function hash(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex').slice(0, ID_HEX_LENGTH);
}
