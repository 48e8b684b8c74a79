import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText } from '#shared/text/html-text.ts';

describe('htmlToText', () => {
  it('drops tags, keeps words apart at block boundaries and decodes entities', () => {
    expect(htmlToText('<p>The alliance&#8217;s <b>fund</b></p><p>&euro;100bn&nbsp;plan</p>')).toBe('The alliance’s fund €100bn plan');
  });

  it('hides script, style and comments, keeps CDATA text', () => {
    expect(htmlToText('a<script>alert(1)</script> b <style>p{}</style><!-- note --> c <![CDATA[d & e]]>')).toBe('a b c d & e');
  });

  it('keeps a lone < or > that opens no tag', () => {
    expect(htmlToText('a < b and c > d; x<y')).toBe('a < b and c > d; x<y');
  });

  it('undoes the double escaping feeds often carry', () => {
    expect(htmlToText('&lt;p&gt;Allies agree&lt;/p&gt; &amp;#8217;')).toBe('Allies agree ’');
  });

  it('treats an unclosed comment or script as swallowing the rest, as a browser does', () => {
    expect(htmlToText('visible <!-- never closed')).toBe('visible');
    expect(htmlToText('visible <script>never closed')).toBe('visible');
  });

  it('removes control characters and collapses whitespace', () => {
    expect(htmlToText('a\u0000b\u0007\n\n  c\u009f')).toBe('ab c');
  });

  it('returns text that is plain already unchanged, and still cleans text that only looks plain', () => {
    const plain = 'NATO weighs a €100bn, five-year fund — "a bridge" for Ukraine; allies (27) agree?';
    expect(htmlToText(plain)).toBe(plain);
    // Each of these skips the markup but still needs one of the later steps.
    expect(htmlToText('two  spaces')).toBe('two spaces');
    expect(htmlToText(' leading')).toBe('leading');
    expect(htmlToText('trailing ')).toBe('trailing');
    expect(htmlToText('tab\there')).toBe('tab here');
    expect(htmlToText('line\nbreak')).toBe('line break');
    expect(htmlToText('no\u00a0break')).toBe('no break');
    expect(htmlToText('byte\ufefforder')).toBe('byte order');
    expect(htmlToText('bell\u0007 and C1\u0085')).toBe('bell and C1');
    expect(htmlToText('non\uffffcharacter')).toBe('noncharacter');
    expect(htmlToText('AT&amp;T')).toBe('AT&T');
    expect(htmlToText('a<b>bold</b>')).toBe('abold');
  });

  it('returns empty text for empty input', () => {
    expect(htmlToText(undefined)).toBe('');
    expect(htmlToText('')).toBe('');
    expect(htmlToText('<br/><p></p>')).toBe('');
  });

  it('gets through hostile markup in one pass (unclosed tags, comments and scripts by the thousand)', () => {
    for (const unit of ['<p ', '<!--', '<script>', '<', '&lt;!--']) {
      const text = htmlToText(unit.repeat(100_000));
      expect(typeof text).toBe('string');
    }
  });
});

describe('decodeEntities', () => {
  it('decodes numeric and named entities and leaves unknown ones', () => {
    expect(decodeEntities('&#x1F600; &#65; &amp; &bogus; &#0;')).toBe('😀 A & &bogus;  ');
  });

  it('leaves names that are Object.prototype keys as they are (they are no entities)', () => {
    expect(decodeEntities('&constructor; &toString; &__proto__;')).toBe('&constructor; &toString; &__proto__;');
  });
});
