import type { Config, WebhookSubscription } from '#shared/config/schema.ts';
import type { AlertEmail } from '#shared/model.ts';
import type { WebhookOutcome } from '#shared/fetch/post-webhook.ts';
import type { AlertPublisher } from './ports.ts';
import { deliverToWebhook } from './webhook-delivery.ts';
import type { SecretReader } from './webhook-secrets.ts';

/**
 * Local runs: after each email reaches the outbox, the same alert goes to every `https` and
 * `slack` subscription whose topics and mode it matches (what the SNS filter policy does on
 * AWS), through the delivery code the Lambda runs. Locally only, a webhook on a loopback or
 * private address is allowed when `fetch.allowPrivateHosts` names it, and plain http is
 * accepted. A failed delivery is printed, not retried: the email is what the local run keeps.
 */

export const routesTo = (sub: Pick<WebhookSubscription, 'topics' | 'mode'>, email: Pick<AlertEmail, 'topic' | 'mode'>): boolean =>
  sub.topics.includes(email.topic) && sub.mode === email.mode;

export function webhookSubscriptionsOf(config: Pick<Config, 'subscriptions'>): WebhookSubscription[] {
  return config.subscriptions.filter((s): s is WebhookSubscription => s.protocol === 'https' || s.protocol === 'slack');
}

export interface LocalWebhookOptions {
  config: Pick<Config, 'subscriptions' | 'fetch'>;
  secrets: SecretReader;
  out?: { write(chunk: string): unknown };
  /** Each delivery's outcome, for tests and the CLI summary. */
  onOutcome?: (subscription: WebhookSubscription, outcome: WebhookOutcome) => void;
}

export function withLocalWebhooks(inner: AlertPublisher, options: LocalWebhookOptions): AlertPublisher {
  const webhooks = webhookSubscriptionsOf(options.config);
  if (webhooks.length === 0) return inner;
  const limits = {
    timeoutMs: Math.min(options.config.fetch.timeoutMs, 10_000),
    idleTimeoutMs: options.config.fetch.idleTimeoutMs,
    allowPrivateHosts: options.config.fetch.allowPrivateHosts,
    requireHttps: false,
  };
  return {
    async publish(email) {
      await inner.publish(email);
      if (!email.payload) return;
      for (const sub of webhooks.filter((s) => routesTo(s, email))) {
        const outcome = await deliverToWebhook(email.payload, sub, { secrets: options.secrets, limits });
        options.onOutcome?.(sub, outcome);
        const what = outcome.kind === 'delivered' ? `delivered (${outcome.status})` : `${outcome.kind === 'rejected' ? 'refused' : 'failed'}: ${outcome.reason}`;
        options.out?.write(`──── ${sub.protocol} webhook "${sub.name}" (local) ← ${email.topic} ${email.mode}: ${what}\n`);
      }
    },
  };
}
