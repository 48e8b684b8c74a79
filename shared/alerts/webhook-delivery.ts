import type { WebhookSubscription } from '#shared/config/schema.ts';
import type { Resolver } from '#shared/fetch/guarded-agent.ts';
import { postWebhook, type WebhookLimits, type WebhookOutcome } from '#shared/fetch/post-webhook.ts';
import { ALERT_PAYLOAD_TYPE, type AlertPayload } from './alert-payload.ts';
import { renderSlackMessage } from './render-slack.ts';
import type { SecretReader } from './webhook-secrets.ts';

/**
 * Delivery of one alert to one `https` or `slack` subscription: read the URL from its secret,
 * render the body for the protocol, POST it. The delivery Lambda and local runs both call this;
 * only the SecretReader and the limits differ (loopback receivers are allowed locally only).
 */

export interface WebhookDeliveryDeps {
  secrets: SecretReader;
  limits: WebhookLimits;
  signal?: AbortSignal;
  resolve?: Resolver;
}

/** The POST body: the payload itself for `https`, a Slack incoming-webhook message for `slack`. */
export function webhookBody(protocol: WebhookSubscription['protocol'], payload: AlertPayload): string {
  return JSON.stringify(protocol === 'slack' ? renderSlackMessage(payload) : payload);
}

/** A delivery that may work later: thrown so that Lambda retries it and, in the end, records it in the DLQ. */
export class WebhookDeliveryError extends Error {
  override readonly name = 'WebhookDeliveryError';
  constructor(
    readonly subscription: string,
    readonly reason: string,
  ) {
    super(`webhook "${subscription}" failed: ${reason}`);
  }
}

export async function deliverToWebhook(
  payload: AlertPayload,
  subscription: WebhookSubscription,
  deps: WebhookDeliveryDeps,
): Promise<WebhookOutcome> {
  let url: string;
  try {
    url = await deps.secrets.webhookUrl(subscription);
  } catch (err) {
    // A missing secret or permission is fixed by the operator, typically within the retry window.
    return { kind: 'failed', reason: err instanceof Error ? err.message : String(err) };
  }
  return postWebhook(url, webhookBody(subscription.protocol, payload), {
    limits: deps.limits,
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.resolve ? { resolve: deps.resolve } : {}),
  });
}

/** The alert carried by an SNS message (its `default` text), or why it is not one. */
export function parseAlertPayload(message: string): { ok: true; payload: AlertPayload } | { ok: false; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'the SNS message is not JSON: it was not published by fundwatch' };
  }
  const p = value as Partial<AlertPayload> | null;
  if (!p || p.type !== ALERT_PAYLOAD_TYPE || p.version !== 1 || typeof p.topic !== 'string' || !Array.isArray(p.items)) {
    return { ok: false, reason: `the SNS message is not a ${ALERT_PAYLOAD_TYPE} version 1 payload` };
  }
  return { ok: true, payload: p as AlertPayload };
}

/**
 * One delivery function serves every webhook through one Lambda alias per subscription, each
 * subscribed to the topic with that subscription's filter policy; the alias an invocation came
 * through (the qualifier of its invoked ARN) says which webhook it is for. Prefixed because an
 * alias name may not be all digits.
 */
export const webhookAliasName = (name: string): string => `hook-${name}`;

export function webhookForInvocation(
  subscriptions: readonly { protocol: string }[],
  invokedFunctionArn: string,
): WebhookSubscription | undefined {
  const qualifier = invokedFunctionArn.split(':')[7];
  if (!qualifier) return undefined;
  return subscriptions.find(
    (s): s is WebhookSubscription => (s.protocol === 'https' || s.protocol === 'slack') && webhookAliasName((s as WebhookSubscription).name) === qualifier,
  );
}
