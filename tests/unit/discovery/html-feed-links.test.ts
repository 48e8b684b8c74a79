import { describe, expect, it } from 'vitest';
import { feedLinksInHead } from '#shared/discovery/html-feed-links.ts';

const PAGE = 'https://news.example/section/page.html';

describe('feedLinksInHead', () => {
  it('finds RSS, Atom and JSON Feed links with their titles, resolving hrefs against the page', () => {
    const head = feedLinksInHead(
      `<html><head><title> Alliance &amp; Co </title>
      <link rel="alternate" type="application/rss+xml" title="Main" href="rss.xml">
      <link rel="home alternate" type="APPLICATION/ATOM+XML;charset=utf-8" href="/atom?x=1&amp;y=2">
      <link rel='alternate' type='application/feed+json' href='//cdn.example/feed.json'>
      <link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
      <link rel="alternate stylesheet" type="text/css" href="/dark.css">
      <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
      <link rel="alternate" type="application/rss+xml">
      </head></html>`,
      PAGE,
    );
    expect(head).toEqual({
      title: 'Alliance & Co',
      links: [
        { url: 'https://news.example/section/rss.xml', format: 'rss', title: 'Main' },
        { url: 'https://news.example/atom?x=1&y=2', format: 'atom' },
        { url: 'https://cdn.example/feed.json', format: 'json' },
      ],
    });
  });

  it('honours <base href>, and only the first one', () => {
    const head = feedLinksInHead(
      '<head><base href="/blog/"><base href="https://elsewhere.example/"><link rel=alternate type=application/rss+xml href=feed></head>',
      PAGE,
    );
    expect(head.links.map((l) => l.url)).toEqual(['https://news.example/blog/feed']);
  });

  it('is not fooled by a > inside a quoted value, comments, scripts or a <title> that holds markup', () => {
    const head = feedLinksInHead(
      `<head>
      <!-- <link rel="alternate" type="application/rss+xml" href="/commented.xml"> -->
      <script>var s = '<link rel="alternate" type="application/rss+xml" href="/script.xml">';</script>
      <title>a <link rel="alternate" type="application/rss+xml" href="/title.xml"> b</title>
      <link title="x > y" rel="alternate" type="application/rss+xml" href="/real.xml">
      </head>`,
      PAGE,
    );
    expect(head.links.map((l) => l.url)).toEqual(['https://news.example/real.xml']);
    expect(head.links[0]?.title).toBe('x > y');
  });

  it('stops at the end of the head: </head> or <body>, whichever comes first', () => {
    const link = (path: string) => `<link rel="alternate" type="application/rss+xml" href="${path}">`;
    expect(feedLinksInHead(`<head>${link('/a')}</head>${link('/b')}`, PAGE).links.map((l) => l.url)).toEqual(['https://news.example/a']);
    expect(feedLinksInHead(`${link('/a')}<body>${link('/b')}`, PAGE).links.map((l) => l.url)).toEqual(['https://news.example/a']);
  });

  it('lists a feed linked twice once', () => {
    const head = feedLinksInHead(
      '<link rel="alternate" type="application/rss+xml" href="/f" title="one"><link rel="alternate" type="application/rss+xml" href="/f#x" title="two">',
      PAGE,
    );
    expect(head.links).toEqual([{ url: 'https://news.example/f', format: 'rss', title: 'one' }]);
  });

  it('gets through hostile markup in one forward pass (unclosed tags, quotes, comments by the thousand)', () => {
    for (const unit of ['<link rel="alternate" title="', '<!--', '<script>', '<', '<a ', '<link ']) {
      const head = feedLinksInHead(unit.repeat(100_000), PAGE);
      expect(head.links).toEqual([]);
    }
  });
});
