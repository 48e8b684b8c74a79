import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderAlert } from '#shared/alerts/alert-payload.ts';
import { withLocalWebhooks } from '#shared/alerts/local-webhooks.ts';
import { localSecretReader } from '#shared/alerts/webhook-secrets.ts';
import { parseConfig } from '#shared/config/load.ts';
import type { AlertEmail } from '#shared/model.ts';
import { startLoopbackServer, type LoopbackServer } from '#tests/integration/fetch/loopback-server.ts';
import { aMatch } from '#tests/support/matches.ts';

/** Local runs deliver to webhooks through the same code as the Lambda, routed like the filter policies. */

let receiver: LoopbackServer;
const received: { path: string; body: any }[] = [];
beforeAll(async () => {
  receiver = await startLoopbackServer('127.0.0.1');
  for (const path of ['/slack', '/json']) {
    receiver.route(path, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ path, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(200).end('ok');
      });
    });
  }
});
afterAll(() => receiver.close());

const configWith = (allowPrivateHosts: string[]) =>
  parseConfig({
    feeds: [{ url: 'http://127.0.0.1:1/feed.xml', name: 'Local' }],
    fetch: { allowPrivateHosts },
    subscriptions: [
      { protocol: 'slack', name: 'team', secretName: 'fw/team', topics: ['ukraine-fund'], mode: 'instant' },
      { protocol: 'https', name: 'digest-hook', secretName: 'fw/digest', topics: ['ukraine-fund'], mode: 'daily' },
    ],
  });

async function publishOne(allowPrivateHosts: string[]) {
  const emails: AlertEmail[] = [];
  const lines: string[] = [];
  const publisher = withLocalWebhooks(
    { publish: async (email) => void emails.push(email) },
    {
      config: configWith(allowPrivateHosts),
      secrets: localSecretReader({ env: { FUNDWATCH_WEBHOOK_URL_TEAM: `${receiver.origin}/slack`, FUNDWATCH_WEBHOOK_URL_DIGEST_HOOK: `${receiver.origin}/json` } }),
      out: { write: (chunk: string) => lines.push(chunk) },
    },
  );
  await publisher.publish(renderAlert('ukraine-fund', 'instant', [aMatch({ id: 'a' })], { maxItems: 5 }));
  return { emails, lines };
}

describe('local webhook delivery', () => {
  it('sends an instant alert to the instant Slack subscription only, after the email', async () => {
    received.length = 0;
    const { emails, lines } = await publishOne(['127.0.0.1']);
    expect(emails).toHaveLength(1);
    expect(received.map((r) => r.path)).toEqual(['/slack']);
    expect(Object.keys(received[0]!.body).sort()).toEqual(['blocks', 'text']);
    expect(lines).toEqual(['──── slack webhook "team" (local) ← ukraine-fund instant: delivered (200)\n']);
  });

  it('refuses a loopback webhook that fetch.allowPrivateHosts does not name, and still keeps the email', async () => {
    received.length = 0;
    const before = receiver.connections();
    const { emails, lines } = await publishOne([]);
    expect(emails).toHaveLength(1);
    expect(receiver.connections()).toBe(before);
    expect(lines[0]).toContain('refused: 127.0.0.1 refused: loopback address not in fetch.allowPrivateHosts');
  });
});
