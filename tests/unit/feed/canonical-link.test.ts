import { describe, expect, it } from 'vitest';
import { canonicalLink } from '#shared/feed/canonical-link.ts';

describe('canonicalLink', () => {
  it('lower-cases scheme and host, drops the default port and the fragment', () => {
    expect(canonicalLink('HTTPS://News.Example.ORG:443/World/Story?id=7#comments')).toBe('https://news.example.org/World/Story?id=7');
    expect(canonicalLink('http://example.org:80/a')).toBe('http://example.org/a');
    expect(canonicalLink('http://example.org:8080/a')).toBe('http://example.org:8080/a');
  });

  it('drops tracking parameters and keeps the others in their order and spelling', () => {
    expect(
      canonicalLink(
        'https://ex.org/a?utm_source=rss&b=2&UTM_Medium=x&fbclid=1&a=1&gclid=2&mc_cid=3&mc_eid=4&igshid=5&ref=tw&cmpid=6&ocid=7&at_medium=8&at_campaign=9&yclid=10&_ga=11&spm=12&q=a%20b',
      ),
    ).toBe('https://ex.org/a?b=2&a=1&q=a%20b');
    expect(canonicalLink('https://ex.org/a?utm_campaign=x')).toBe('https://ex.org/a');
    expect(canonicalLink('https://ex.org/a?')).toBe('https://ex.org/a');
    expect(canonicalLink('https://ex.org/a?reference=1&utmost=2')).toBe('https://ex.org/a?reference=1&utmost=2');
  });

  it('resolves relative links against a base', () => {
    expect(canonicalLink('/2024/06/story?utm_source=feed', 'https://ex.org/feeds/world.xml')).toBe('https://ex.org/2024/06/story');
    expect(canonicalLink('story.html', 'https://ex.org/feeds/world.xml')).toBe('https://ex.org/feeds/story.html');
    expect(canonicalLink('https://other.example/x', 'https://ex.org/')).toBe('https://other.example/x');
  });

  it('returns undefined for anything that is not an absolute http(s) link', () => {
    expect(canonicalLink(undefined)).toBeUndefined();
    expect(canonicalLink('')).toBeUndefined();
    expect(canonicalLink('/relative/without/base')).toBeUndefined();
    expect(canonicalLink('javascript:alert(1)')).toBeUndefined();
    expect(canonicalLink('data:text/html,hi')).toBeUndefined();
    expect(canonicalLink('mailto:a@example.org')).toBeUndefined();
    expect(canonicalLink('ftp://ex.org/file')).toBeUndefined();
    expect(canonicalLink('http://')).toBeUndefined();
    expect(canonicalLink(`https://ex.org/${'a'.repeat(5_000)}`)).toBeUndefined();
    expect(canonicalLink('javascript:alert(1)', 'https://ex.org/')).toBeUndefined();
  });

  it('drops credentials and a trailing dot on the host, and encodes what must be encoded', () => {
    expect(canonicalLink('https://user:pw@ex.org./a b')).toBe('https://ex.org/a%20b');
    expect(canonicalLink('https://bücher.example/')).toBe('https://xn--bcher-kva.example/');
    expect(canonicalLink('  https://ex.org/\n')).toBe('https://ex.org/');
  });

  it('leaves Google News redirect links as they are', () => {
    const google = 'https://news.google.com/rss/articles/CBMiSWh0dHBzOi8vd3d3LmV4YW1wbGUub3JnL3N0b3J5?oc=5';
    expect(canonicalLink(google)).toBe(google);
  });

  it('is idempotent', () => {
    for (const href of ['HTTPS://Ex.org:443/a?utm_x=1&b=%7E#f', 'http://ex.org/a?x=1&&y=2', 'https://ex.org/ä?q=ü']) {
      const once = canonicalLink(href);
      expect(once).toBeDefined();
      expect(canonicalLink(once)).toBe(once);
    }
  });
});
