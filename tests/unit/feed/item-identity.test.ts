import { describe, expect, it } from 'vitest';
import { identityKey, itemId } from '#shared/feed/item-identity.ts';

describe('itemId', () => {
  it('is 24 hex characters and deterministic', () => {
    const id = itemId({ guid: 'tag:ex.org,2024:1' });
    expect(id).toMatch(/^[0-9a-f]{24}$/);
    expect(itemId({ guid: 'tag:ex.org,2024:1' })).toBe(id);
  });

  it('keeps the id when the publisher edits the headline and summary of the same GUID', () => {
    const before = itemId({ guid: 'urn:uuid:1234', link: 'https://ex.org/a', title: 'NATO weighs fund', summary: 'Draft' });
    const after = itemId({ guid: ' urn:uuid:1234 ', link: 'https://ex.org/a-updated', title: 'NATO agrees €100bn fund', summary: 'Final' });
    expect(after).toBe(before);
  });

  it('uses the canonical link when there is no GUID, so tracking parameters and headline edits do not matter', () => {
    const first = itemId({ link: 'https://ex.org/a?utm_source=rss', title: 'Old headline' });
    const second = itemId({ link: 'HTTPS://EX.org/a#top', title: 'New headline' });
    expect(second).toBe(first);
    expect(identityKey({ link: 'https://ex.org/a?utm_source=rss' })).toBe('link:https://ex.org/a');
  });

  it('treats a GUID that is just the link as the link', () => {
    const withGuid = itemId({ guid: 'https://ex.org/a?utm_medium=feed', link: 'https://ex.org/a', title: 'x' });
    const withoutGuid = itemId({ link: 'https://ex.org/a', title: 'y' });
    const guidOnly = itemId({ guid: 'https://ex.org/a' });
    expect(withGuid).toBe(withoutGuid);
    expect(guidOnly).toBe(withoutGuid);
  });

  it('keeps a URL GUID that differs from the link as a GUID', () => {
    expect(identityKey({ guid: 'https://ex.org/?p=123', link: 'https://ex.org/2024/06/story' })).toBe('guid:https://ex.org/?p=123');
  });

  it('scopes short opaque GUIDs by the feed host, but not globally unique ones', () => {
    const a = itemId({ guid: '12345', feedUrl: 'https://a.example/feed' });
    const b = itemId({ guid: '12345', feedUrl: 'https://b.example/rss' });
    const aOtherPath = itemId({ guid: '12345', feedUrl: 'https://a.example/world.xml' });
    expect(a).not.toBe(b);
    expect(aOtherPath).toBe(a);
    expect(itemId({ guid: 'tag:x.org,2024:9', feedUrl: 'https://a.example/' })).toBe(itemId({ guid: 'tag:x.org,2024:9', feedUrl: 'https://b.example/' }));
  });

  it('falls back to normalised title and summary when there is neither GUID nor link', () => {
    const one = itemId({ title: '<b>NATO</b>  Fund', summary: 'Ministers &amp; aid', feedUrl: 'https://a.example/f' });
    const same = itemId({ title: 'nato fund', summary: 'MINISTERS & AID', feedUrl: 'https://a.example/f' });
    const other = itemId({ title: 'nato fund', summary: 'something else', feedUrl: 'https://a.example/f' });
    expect(same).toBe(one);
    expect(other).not.toBe(one);
    expect(identityKey({ title: 'T', summary: 'S' })).toMatch(/^text:/);
  });

  it('ignores links it cannot canonicalise', () => {
    expect(identityKey({ link: 'javascript:alert(1)', title: 'T' })).toMatch(/^text:/);
    expect(identityKey({ guid: '   ', link: 'https://ex.org/a' })).toBe('link:https://ex.org/a');
  });
});
