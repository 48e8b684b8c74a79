import { describe, expect, it } from 'vitest';
import { BadBatchMessageError, decodeFeedBatch, encodeFeedBatch } from '#shared/fanout/feed-batch.ts';

describe('feed batch messages', () => {
  it('decode what they encode', () => {
    const batch = { feeds: ['https://a.example/rss', 'https://b.example/atom'], dispatchedAt: '2026-12-06T12:00:00.000Z' };
    expect(decodeFeedBatch(encodeFeedBatch(batch))).toEqual(batch);
  });

  it.each([
    ['not json', 'not JSON'],
    ['[1,2]', 'version'],
    ['{"v":2,"feeds":["https://a.example/"],"dispatchedAt":"2026-12-06T12:00:00Z"}', 'version 2'],
    ['{"v":1,"feeds":[],"dispatchedAt":"2026-12-06T12:00:00Z"}', '"feeds"'],
    ['{"v":1,"feeds":[7],"dispatchedAt":"2026-12-06T12:00:00Z"}', '"feeds"'],
    ['{"v":1,"feeds":["https://a.example/"],"dispatchedAt":"yesterday"}', '"dispatchedAt"'],
    ['null', 'not a JSON object'],
  ])('name what is wrong with %s', (body, reason) => {
    expect(() => decodeFeedBatch(body)).toThrow(BadBatchMessageError);
    expect(() => decodeFeedBatch(body)).toThrow(reason);
  });
});
