import { describe, expect, it } from 'vitest';
import { AlertDeliveryError, sendInstantAlerts, throwIfFailed } from '#shared/alerts/notifier.ts';
import type { AlertClaims } from '#shared/alerts/ports.ts';
import type { AlertEmail } from '#shared/model.ts';
import { aMatch } from '#tests/support/matches.ts';

/** The claims contract in memory: pending claims can be taken over, sent ones never. */
function memoryClaims(): AlertClaims & { rows: Map<string, { status: string; owner: string }> } {
  const rows = new Map<string, { status: string; owner: string }>();
  const k = (mode: string, topic: string, key: string) => `${mode}|${topic}|${key}`;
  return {
    rows,
    async claim(mode, topic, keys, owner) {
      return keys.filter((key) => {
        const row = rows.get(k(mode, topic, key));
        if (row?.status === 'sent') return false;
        rows.set(k(mode, topic, key), { status: 'pending', owner });
        return true;
      });
    },
    async markSent(mode, topic, keys, owner) {
      for (const key of keys) {
        const row = rows.get(k(mode, topic, key));
        if (row?.owner === owner) row.status = 'sent';
      }
    },
    async release(mode, topic, keys, owner) {
      for (const key of keys) if (rows.get(k(mode, topic, key))?.owner === owner) rows.delete(k(mode, topic, key));
    },
  };
}

const render = { maxItems: 20 };

describe('sendInstantAlerts', () => {
  it('groups by topic, skips suppressed matches and repeated ids, and sends each item once', async () => {
    const claims = memoryClaims();
    const sent: AlertEmail[] = [];
    const publisher = { publish: async (e: AlertEmail) => void sent.push(e) };
    const matches = [
      aMatch({ id: 'a', topics: ['ukraine-fund', 'nato-mission'] }),
      aMatch({ id: 'a', topics: ['ukraine-fund', 'nato-mission'] }),
      aMatch({ id: 'b', topics: ['ukraine-fund'] }),
      aMatch({ id: 'c', topics: ['ukraine-fund'], alertSuppressed: 'duplicate', duplicateOf: 'b' }),
    ];
    const report = await sendInstantAlerts(matches, { claims, publisher, render });
    expect(sent.map((e) => [e.topic, e.mode, e.itemIds.sort()])).toEqual([
      ['nato-mission', 'instant', ['a']],
      ['ukraine-fund', 'instant', ['a', 'b']],
    ]);
    expect(report.suppressed).toEqual(['c']);
    expect(report.failed).toEqual([]);

    const again = await sendInstantAlerts([...matches, aMatch({ id: 'd', topics: ['ukraine-fund'] })], { claims, publisher, render });
    expect(sent).toHaveLength(3);
    expect(sent[2]!.itemIds).toEqual(['d']);
    expect(again.alreadySent).toEqual([
      { topic: 'nato-mission', itemIds: ['a'] },
      { topic: 'ukraine-fund', itemIds: ['a', 'b'] },
    ]);
  });

  it('reports a topic whose claims cannot be written as failed, without publishing it', async () => {
    const claims = memoryClaims();
    const broken: AlertClaims = { ...claims, claim: async () => Promise.reject(new Error('ProvisionedThroughputExceeded')) };
    const sent: AlertEmail[] = [];
    const report = await sendInstantAlerts([aMatch({ id: 'x' })], { claims: broken, publisher: { publish: async (e) => void sent.push(e) }, render });
    expect(sent).toEqual([]);
    expect(report.failed.map((f) => [f.topic, f.itemIds, f.error.message])).toEqual([['ukraine-fund', ['x'], 'ProvisionedThroughputExceeded']]);
    expect(() => throwIfFailed(report)).toThrow(AlertDeliveryError);
  });

  it('releases the claims of a failed publish so the next attempt sends', async () => {
    const claims = memoryClaims();
    let fail = true;
    const sent: AlertEmail[] = [];
    const publisher = {
      publish: async (e: AlertEmail) => {
        if (fail) throw new Error('boom');
        sent.push(e);
      },
    };
    const first = await sendInstantAlerts([aMatch({ id: 'r' })], { claims, publisher, render });
    expect(first.failed[0]!.itemIds).toEqual(['r']);
    expect(claims.rows.size).toBe(0);
    fail = false;
    await sendInstantAlerts([aMatch({ id: 'r' })], { claims, publisher, render });
    await sendInstantAlerts([aMatch({ id: 'r' })], { claims, publisher, render });
    expect(sent).toHaveLength(1);
  });
});
