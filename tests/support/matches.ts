import type { Match } from '#shared/model.ts';

/** A match with sensible defaults; tests override what they are about. */
export function aMatch(overrides: Partial<Match> = {}): Match {
  const id = overrides.id ?? `m-${Math.random().toString(16).slice(2, 10)}`;
  return {
    id,
    title: 'NATO ministers discuss a 100-billion-euro fund for Ukraine',
    summary: 'Foreign ministers in Brussels weighed the five-year proposal.',
    link: `https://news.example.org/${id}`,
    source: 'Example News',
    feedUrl: 'https://news.example.org/feed.xml',
    publishedAt: '2024-04-03T09:00:00.000Z',
    fetchedAt: '2024-04-03T09:05:00.000Z',
    storedAt: '2024-04-03T09:05:01.000Z',
    lang: 'en',
    categories: [],
    topics: ['ukraine-fund'],
    score: 0.9,
    scores: { 'ukraine-fund': 0.9 },
    evidence: { 'ukraine-fund': ['fund'] },
    ...overrides,
  };
}
