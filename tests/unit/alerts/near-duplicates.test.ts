import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createDuplicateFinder, normaliseWords, segmentWords, shingles, similarity, isSameStory } from '#shared/alerts/near-duplicates.ts';
import type { Match } from '#shared/model.ts';
import { aMatch } from '#tests/support/matches.ts';

const WIRE =
  'NATO foreign ministers meeting in Brussels on Wednesday discussed a proposal by Secretary General ' +
  'Jens Stoltenberg to create a five-year, 100-billion-euro fund for Ukraine and to have the alliance ' +
  'take over the coordination of military aid from the US-led contact group. Several allies, including ' +
  'Hungary, voiced reservations about the size of the fund and how its costs would be shared.';

/** One story as five outlets carried it: edited headlines, one re-post, one with an extra sentence. */
const syndicated: Match[] = [
  aMatch({ id: 'wire-1', source: 'Wire Service', title: 'NATO weighs 100-billion-euro fund for Ukraine', summary: WIRE, publishedAt: '2024-04-03T09:00:00.000Z' }),
  aMatch({ id: 'wire-2', source: 'Daily Outlet', title: 'Allies debate €100bn five-year Ukraine fund at Brussels meeting', summary: WIRE, publishedAt: '2024-04-03T09:40:00.000Z' }),
  aMatch({ id: 'wire-3', source: 'Regional Paper', title: 'Stoltenberg pitches long-term military aid fund to NATO ministers', summary: WIRE.replace('on Wednesday ', ''), publishedAt: '2024-04-03T10:15:00.000Z' }),
  aMatch({
    id: 'wire-4',
    source: 'Evening Post',
    title: 'NATO weighs 100-billion-euro fund for Ukraine',
    summary: `${WIRE} The proposal will be discussed again when defence ministers meet in June, diplomats said.`,
    publishedAt: '2024-04-03T12:00:00.000Z',
  }),
  aMatch({ id: 'wire-5', source: 'Daily Outlet', title: 'UPDATE: NATO ministers weigh Ukraine fund, Hungary objects', summary: WIRE, publishedAt: '2024-04-03T14:30:00.000Z' }),
];

/** Ten different stories on the same topic, sharing the vocabulary that makes naive matching fail. */
const distinct: [string, string][] = [
  ['NATO weighs 100-billion-euro fund for Ukraine', 'Secretary General Jens Stoltenberg proposed a five-year fund of 100 billion euros for Ukraine to foreign ministers in Brussels.'],
  ['Hungary says it will not block NATO Ukraine fund but will not pay', 'Budapest will stay out of the 100-billion-euro scheme for Ukraine, its foreign minister said after the NATO meeting.'],
  ['Allies back annual 40-billion-euro pledge instead of five-year fund', 'At the Washington summit NATO leaders agreed to a baseline of at least 40 billion euros a year for Ukraine rather than the 100-billion-euro fund.'],
  ['Germany wants bilateral aid to count toward NATO Ukraine pledge', 'Berlin argues that its own deliveries to Ukraine should count against the alliance-wide 100-billion-euro target for military support.'],
  ['US officials sceptical of NATO fund for Ukraine', 'Washington questioned how a 100-billion-euro fund for Ukraine would be financed and whether allies would pay their share, officials said.'],
  ['Stoltenberg: fund would make Ukraine aid Trump-proof', 'The NATO secretary general said a multi-year fund for Ukraine would protect military support from changes of government in member states.'],
  ['Baltic states call for 0.25% of GDP Ukraine aid rule', 'Estonia, Latvia and Lithuania proposed that each NATO ally give Ukraine military aid worth a quarter of a percent of its economy every year.'],
  ['NATO ministers fail to agree on size of Ukraine fund', 'Foreign ministers ended two days of talks in Brussels without agreement on the 100-billion-euro proposal; talks continue before the summit.'],
  ['France open to NATO role in Ukraine aid but wary of fund', 'Paris supports NATO coordinating training and deliveries for Ukraine but has doubts about a common 100-billion-euro fund, a diplomat said.'],
  ['Zelensky welcomes NATO talks on long-term Ukraine funding', 'The Ukrainian president said a 100-billion-euro fund agreed by NATO allies would give Kyiv predictable military support for five years.'],
];

const distinctMatches = distinct.map(([title, summary], i) =>
  aMatch({ id: `story-${i}`, title, summary, publishedAt: `2024-04-03T${String(8 + i).padStart(2, '0')}:00:00.000Z` }),
);

/** Runs items through a finder as the poll cycle does and returns id → duplicateOf. */
function runCycle(recent: Match[], items: Match[], windowHours = 72): Map<string, string | undefined> {
  const finder = createDuplicateFinder(recent, { windowHours });
  const links = new Map<string, string | undefined>();
  for (const item of items) {
    const first = finder.firstReportOf(item);
    links.set(item.id, first);
    finder.add(first ? { ...item, duplicateOf: first } : item);
  }
  return links;
}

describe('near-duplicate finder', () => {
  it('links four syndicated copies of one story to the first report', () => {
    const links = runCycle([], syndicated);
    expect([...links]).toEqual([
      ['wire-1', undefined],
      ['wire-2', 'wire-1'],
      ['wire-3', 'wire-1'],
      ['wire-4', 'wire-1'],
      ['wire-5', 'wire-1'],
    ]);
  });

  it('links copies to a first report stored by an earlier cycle', () => {
    const links = runCycle([syndicated[0]!], syndicated.slice(1));
    expect(new Set(links.values())).toEqual(new Set(['wire-1']));
  });

  it('points to the first report even when the closest copy is itself a duplicate', () => {
    const stored = [syndicated[0]!, { ...syndicated[3]!, duplicateOf: 'wire-1', alertSuppressed: 'duplicate' as const }];
    const finder = createDuplicateFinder(stored, { windowHours: 72 });
    const copy = { ...syndicated[3]!, id: 'wire-6', title: 'Copy of the long version' };
    expect(finder.firstReportOf(copy)).toBe('wire-1');
  });

  it('links a short re-post with both an edited headline and an extra sentence', () => {
    const summary = 'Generally the summary is short. Allies debate the fund at Brussels meeting with Hungary objecting strongly.';
    const first = aMatch({ id: 'short-1', title: 'NATO weighs 100-billion-euro fund for Ukraine', summary });
    const repost = aMatch({
      id: 'short-2',
      title: 'Allies argue over Ukraine fund plan in Brussels',
      summary: `${summary} Ministers meet again in June to continue talks on the plan.`,
    });
    const s = similarity(shingles(first.title, first.summary), shingles(repost.title, repost.summary));
    expect(s.jaccard).toBeLessThan(0.4);
    expect(createDuplicateFinder([first], { windowHours: 72 }).firstReportOf(repost)).toBe('short-1');
  });

  it('links no two of ten distinct stories on the same topic', () => {
    const links = runCycle([], distinctMatches);
    expect([...links.values()].filter(Boolean)).toEqual([]);
    for (const a of distinctMatches) {
      for (const b of distinctMatches) {
        if (a === b) continue;
        expect(isSameStory(similarity(shingles(a.title, a.summary), shingles(b.title, b.summary)))).toBe(false);
      }
    }
  });

  it('keeps the 260 labelled dev items apart (no false merges on real same-topic text)', () => {
    const lines = readFileSync(new URL('../../../../shared/eval/dev.jsonl', import.meta.url), 'utf8').trim().split('\n');
    const items = lines.map((line, i) => {
      const raw = JSON.parse(line) as { id: string; title: string; summary?: string };
      const summary = (raw.summary ?? '').replace(/<[^>]+>/g, ' ').replace(/&#?\w+;/g, ' ');
      return aMatch({ id: raw.id, title: raw.title, summary, publishedAt: new Date(Date.UTC(2024, 3, 3, 0, i)).toISOString() });
    });
    const links = runCycle([], items, 24 * 30);
    expect([...links].filter(([, first]) => first)).toEqual([]);
  });

  it('ignores stored reports outside the time window', () => {
    const old = { ...syndicated[0]!, publishedAt: '2024-03-25T09:00:00.000Z' };
    const finder = createDuplicateFinder([old], { windowHours: 72 });
    expect(finder.firstReportOf(syndicated[1]!)).toBeUndefined();
    const wider = createDuplicateFinder([old], { windowHours: 24 * 10 });
    expect(wider.firstReportOf(syndicated[1]!)).toBe('wire-1');
  });

  it('never reports an item as a duplicate of itself', () => {
    const finder = createDuplicateFinder([syndicated[0]!], { windowHours: 72 });
    expect(finder.firstReportOf(syndicated[0]!)).toBeUndefined();
  });

  it('works across scripts and is not fooled by case, accents and punctuation', () => {
    const uk = aMatch({
      id: 'uk-1',
      title: 'Столтенберг запропонував союзникам фонд на 100 мільярдів євро для України',
      summary: 'Генсек НАТО пропонує п’ятирічний фонд військової підтримки України. Пропозицію обговорюють міністри закордонних справ країн Альянсу в Брюсселі.',
    });
    const ukCopy = aMatch({
      id: 'uk-2',
      title: 'СТОЛТЕНБЕРГ: фонд 100 млрд євро для України',
      summary: 'Генсек НАТО пропонує п’ятирічний фонд військової підтримки України! Пропозицію обговорюють міністри закордонних справ країн Альянсу в Брюсселі…',
    });
    const ja = aMatch({ id: 'ja-1', title: 'NATO、ウクライナ支援で1000億ユーロ基金を提案', summary: 'NATOのストルテンベルグ事務総長は、ウクライナへの軍事支援のため5年間で1000億ユーロの基金を設立することを加盟国に提案した。' });
    const jaCopy = aMatch({ id: 'ja-2', title: 'ウクライナ基金、NATOが提案', summary: 'NATOのストルテンベルグ事務総長は、ウクライナへの軍事支援のため5年間で1000億ユーロの基金を設立することを加盟国に提案した。' });
    const finder = createDuplicateFinder([uk, ja], { windowHours: 72 });
    expect(finder.firstReportOf(ukCopy)).toBe('uk-1');
    expect(finder.firstReportOf(jaCopy)).toBe('ja-1');
  });
});

describe('word segmentation', () => {
  const segmenter = new Intl.Segmenter(undefined, { granularity: 'word' });
  const bySegmenter = (text: string) => [...segmenter.segment(text)].filter((s) => s.isWordLike).map((s) => s.segment);

  it('finds the same words in ASCII text as Intl.Segmenter, without it', () => {
    // Letters, digits and every ASCII sign, weighted to the joiners that matter (. ' : , ;).
    const alphabet = [...' !"#$%&()*+-/<=>?@[\\]^`{|}~', ...'abcxyz0189', ...".':,;.':,; "];
    let seed = 7;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    for (let n = 0; n < 20_000; n++) {
      let text = '';
      for (let i = 1 + Math.floor(random() * 24); i > 0; i--) text += alphabet[Math.floor(random() * alphabet.length)];
      expect(segmentWords(text), JSON.stringify(text)).toEqual(bySegmenter(text));
    }
    for (const text of ["u.s. aid: $61bn, 1,000.5 troops; nato's 3.5% goal", 'e.g. re:publica 2024', "rock'n'roll 1'000 12;30"]) {
      expect(segmentWords(text)).toEqual(bySegmenter(text));
    }
  });

  it('gives every labelled dev item the words Intl.Segmenter gives it', () => {
    const lines = readFileSync(new URL('../../../../shared/eval/dev.jsonl', import.meta.url), 'utf8').trim().split('\n');
    for (const line of lines) {
      const raw = JSON.parse(line) as { title: string; summary?: string };
      for (const text of [raw.title, raw.summary ?? '']) {
        const lower = text.normalize('NFKC').toLowerCase();
        expect(segmentWords(lower)).toEqual(bySegmenter(lower));
      }
    }
  });

  it('leaves text with underscores or beyond ASCII to the segmenter', () => {
    expect(segmentWords('snake_case x_1')).toEqual(['snake_case', 'x_1']);
    expect(normaliseWords('Übung macht den Meister')).toEqual(['ubung', 'macht', 'den', 'meister']);
    expect(segmentWords('北约 基金')).toEqual(bySegmenter('北约 基金'));
  });
});
