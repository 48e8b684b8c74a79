import { describe, expect, it } from 'vitest';
import { renderAlertEmail } from '#shared/alerts/render-email.ts';
import { aMatch } from '#tests/support/matches.ts';
import { topicNamesFrom } from '#shared/alerts/topic-names.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';

const topicTitle = (topic: string) => ({ 'ukraine-fund': 'Ukraine fund', 'nato-mission': 'NATO mission' })[topic] ?? topic;

describe('alert email rendering', () => {
  it('lists each match with title, source, UTC time, link, score and the evidence that decided', () => {
    const email = renderAlertEmail(
      'ukraine-fund',
      'instant',
      [
        aMatch({
          id: 'a',
          title: 'NATO allies back €100bn plan',
          source: 'Example News',
          link: 'https://news.example.org/a',
          publishedAt: '2024-04-03T09:12:00+02:00',
          scores: { 'ukraine-fund': 0.876 },
          evidence: { 'ukraine-fund': ['100 billion euro', 'five-year fund'] },
        }),
      ],
      { maxItems: 20, topicTitle, queryUrl: 'https://api.example.org/' },
    );
    expect(email.subject).toBe('[fundwatch] Ukraine fund: 1 new — NATO allies back €100bn plan');
    expect(email.topic).toBe('ukraine-fund');
    expect(email.mode).toBe('instant');
    expect(email.itemIds).toEqual(['a']);
    expect(email.body).toContain('1. NATO allies back €100bn plan\n');
    expect(email.body).toContain('   Example News · 2024-04-03 07:12 UTC · score 0.88\n');
    expect(email.body).toContain('   https://news.example.org/a\n');
    expect(email.body).toContain('   Why: 100 billion euro; five-year fund\n');
    expect(email.body).toContain(
      'All matches for this topic: https://api.example.org/?topic=ukraine-fund&since=2024-04-03T09%3A12%3A00%2B02%3A00\n',
    );
    expect(email.body).not.toMatch(/<[a-z]/i);
    expect(email.body).toContain('   Not about this topic? https://api.example.org/?feedback=a\n');
  });

  it('gives every item a way to label it: the page\'s label panel, or the command without a page', () => {
    const matches = ['3f9a0c1d2e4b5a6c', '0b1c2d3e4f5a6b7c'].map((id, i) => aMatch({ id, title: `Story ${i}`, scores: { 'ukraine-fund': 0.9 - i / 10 } }));
    const withPage = renderAlertEmail('ukraine-fund', 'instant', matches, { maxItems: 20, queryUrl: 'http://127.0.0.1:8787/' });
    expect(withPage.body.match(/^ {3}Not about this topic\? .*$/gm)).toEqual([
      '   Not about this topic? http://127.0.0.1:8787/?feedback=3f9a0c1d2e4b5a6c',
      '   Not about this topic? http://127.0.0.1:8787/?feedback=0b1c2d3e4f5a6b7c',
    ]);
    const withoutPage = renderAlertEmail('ukraine-fund', 'daily', matches, { maxItems: 20 });
    expect(withoutPage.body).toContain('1. Story 0\n');
    expect(withoutPage.body.match(/^ {3}Not about this topic\? .*$/gm)).toEqual([
      '   Not about this topic? fundwatch feedback 3f9a0c1d2e4b5a6c --not-relevant',
      '   Not about this topic? fundwatch feedback 0b1c2d3e4f5a6b7c --not-relevant',
    ]);
    // An id that is not one of ours goes neither on a command line nor into a link.
    const odd = renderAlertEmail('ukraine-fund', 'instant', [aMatch({ id: 'x; rm -rf ~' })], { maxItems: 20 });
    expect(odd.body).not.toContain('Not about this topic');
  });

  it('caps the list at maxItemsPerEmail with "…and N more" pointing to the query API', () => {
    const matches = Array.from({ length: 25 }, (_, i) =>
      aMatch({ id: `m${i}`, title: `Story ${i}`, score: i / 100, scores: { 'ukraine-fund': i / 100 } }),
    );
    const email = renderAlertEmail('ukraine-fund', 'daily', matches, {
      maxItems: 20,
      topicTitle,
      queryUrl: 'https://api.example.org',
      since: '2024-04-02T07:00:00.000Z',
    });
    expect(email.body.match(/^\d+\. /gm)).toHaveLength(20);
    expect(email.body).toContain('…and 5 more: https://api.example.org/?topic=ukraine-fund&since=2024-04-02T07%3A00%3A00.000Z\n');
    expect(email.body).not.toContain('All matches');
    // The strongest matches are the ones listed; the subject leads with the strongest.
    expect(email.body).toContain('1. Story 24\n');
    expect(email.body).not.toContain('Story 4\n');
    expect(email.subject).toBe('[fundwatch] Ukraine fund daily: 25 new — Story 24');
    expect(email.itemIds).toHaveLength(25);
  });

  it('points to the CLI when no query API URL is configured', () => {
    const email = renderAlertEmail('ukraine-fund', 'instant', [aMatch(), aMatch(), aMatch()], { maxItems: 1 });
    expect(email.body).toContain('…and 2 more: fundwatch query --topic ukraine-fund --since 2024-04-03T09:00:00.000Z\n');
  });

  it('stays within the byte budget however long and hostile the fields are', () => {
    const huge = 'Ω🇺🇦 ' + 'x'.repeat(200_000);
    const matches = Array.from({ length: 100 }, (_, i) =>
      aMatch({
        id: `h${i}`,
        title: `${huge}\r\nSubject: forged`,
        summary: huge,
        source: huge,
        link: `https://example.org/${'p'.repeat(5000)}`,
        evidence: { 'ukraine-fund': Array.from({ length: 50 }, () => huge) },
      }),
    );
    const email = renderAlertEmail('ukraine-fund', 'daily', matches, { maxItems: 100, maxBodyBytes: 20_000 });
    expect(Buffer.byteLength(email.body)).toBeLessThanOrEqual(20_000);
    expect(email.body).toMatch(/…and \d+ more: /);
    expect(email.body).not.toContain('\r');
    expect(email.body).not.toContain('\nSubject: forged');
    expect(email.body).not.toContain('p'.repeat(2500));
    const defaults = renderAlertEmail('ukraine-fund', 'daily', matches, { maxItems: 100 });
    expect(Buffer.byteLength(defaults.body)).toBeLessThan(256 * 1024 - 2048);
    expect(defaults.subject.length).toBeLessThan(100);
  });

  it("names the topic by the pack's short title in the subject and its full title in the body", () => {
    const email = renderAlertEmail('ukraine-fund', 'instant', [aMatch({ title: 'Allies back the fund' })], {
      maxItems: 20,
      ...topicNamesFrom(defaultTopicPack()),
    });
    expect(email.subject).toBe('[fundwatch] Ukraine fund: 1 new — Allies back the fund');
    expect(email.body).toContain("NATO's multi-year fund / pledge for Ukraine");
  });

  it('shows only http(s) links', () => {
    const email = renderAlertEmail('ukraine-fund', 'instant', [aMatch({ link: 'javascript:alert(1)' })], { maxItems: 5 });
    expect(email.body).not.toContain('javascript:');
  });

  it('refuses to render an empty email', () => {
    expect(() => renderAlertEmail('ukraine-fund', 'instant', [], { maxItems: 5 })).toThrow(/no matches/);
  });
});

describe('the "Why" line', () => {
  it('puts the matched words first and names the deciding rule', async () => {
    const { readableEvidence } = await import('#shared/alerts/render-email.ts');
    expect(
      readableEvidence([
        'rule:alliance-fund-for-ukraine',
        'rule:signature-sum',
        "concept:fund-word ← 'fund'",
        "concept:nato ← 'NATO'",
        "concept:nato ← 'NATO'",
        "concept:ukraine ← 'Kyiv'",
      ]),
    ).toBe("'fund', 'NATO', 'Kyiv' (rule alliance-fund-for-ukraine +1)");
  });

  it('says which sentence decided, and rows stored before salience (no sentence) render as before', async () => {
    const { readableEvidence } = await import('#shared/alerts/render-email.ts');
    const entries = ['rule:alliance-ministers', "concept:ministers ← 'ministers'", "concept:nato ← 'NATO'"];
    expect(readableEvidence([entries[0]!, 'sentence:2', ...entries.slice(1)])).toBe(
      "'ministers', 'NATO' (rule alliance-ministers, in sentence 2)",
    );
    expect(readableEvidence([entries[0]!, "sentence:title ← 'NATO ministers meet'", ...entries.slice(1)])).toBe(
      "'ministers', 'NATO' (rule alliance-ministers, in the headline)",
    );
    expect(readableEvidence(entries)).toBe("'ministers', 'NATO' (rule alliance-ministers)");
  });

  it('shows evidence without matched words as it is', async () => {
    const { readableEvidence } = await import('#shared/alerts/render-email.ts');
    expect(readableEvidence(['rule:nsatu-named', 'veto:eu-mission'])).toBe('rule:nsatu-named; veto:eu-mission');
  });
});
