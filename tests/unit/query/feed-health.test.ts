import { describe, expect, it } from 'vitest';
import { toFeedHealth } from '#shared/query/views.ts';

describe('feed health as /feeds shows it', () => {
  const base = { url: 'https://a.example/feed', name: 'A', lastAttemptAt: '2024-04-03T09:00:00.000Z' };

  it('flags a moved feed whose new address keeps failing as failing, not just moved', () => {
    expect(toFeedHealth({ ...base, movedTo: 'https://b.example/feed', consecutiveFailures: 3 }).status).toBe('failing');
  });

  it('shows a healthy moved feed as moved, a gone feed as gone, a fresh one as never polled', () => {
    expect(toFeedHealth({ ...base, movedTo: 'https://b.example/feed', consecutiveFailures: 0 }).status).toBe('moved');
    expect(toFeedHealth({ ...base, gone: true, consecutiveFailures: 2 }).status).toBe('gone');
    expect(toFeedHealth({ url: base.url, name: 'A', consecutiveFailures: 0 }).status).toBe('never-polled');
    expect(toFeedHealth({ ...base, consecutiveFailures: 0 }).status).toBe('ok');
  });
});
