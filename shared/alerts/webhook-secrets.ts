import { readFile } from 'node:fs/promises';
import type { WebhookSubscription } from '#shared/config/schema.ts';

/**
 * Where a webhook's URL comes from. The config names a secret (Secrets Manager or an SSM
 * SecureString), never the URL; on AWS the adapter in `aws-secret-reader.ts` reads it, locally
 * an environment variable or a secrets file does.
 */
export type WebhookSecretRef = Pick<WebhookSubscription, 'name' | 'secretName' | 'secretStore'>;

export interface SecretReader {
  /** The webhook URL kept in the secret; rejects with an error that names the secret, not its value. */
  webhookUrl(ref: WebhookSecretRef): Promise<string>;
}

/**
 * A secret holds the URL as its whole value, or as `{"url": "…"}` (the shape Secrets Manager's
 * console writes for key/value secrets).
 */
export function urlFromSecretValue(value: string, ref: WebhookSecretRef): string {
  const text = value.trim();
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`secret ${ref.secretName} looks like JSON but does not parse; store the webhook URL, or {"url": "..."}`);
    }
    const url = (parsed as { url?: unknown } | null)?.url;
    if (typeof url !== 'string' || url.trim() === '') throw new Error(`secret ${ref.secretName} is JSON without a "url" string`);
    return url.trim();
  }
  if (text === '') throw new Error(`secret ${ref.secretName} is empty`);
  return text;
}

/** Reads each secret once per process (a cold start): a failed read is not cached, so a retry reads again. */
export function cachingSecretReader(inner: SecretReader): SecretReader {
  const cache = new Map<string, Promise<string>>();
  return {
    webhookUrl(ref) {
      const key = `${ref.secretStore}\u0000${ref.secretName}`;
      let pending = cache.get(key);
      if (!pending) {
        pending = inner.webhookUrl(ref);
        cache.set(key, pending);
        pending.catch(() => cache.delete(key));
      }
      return pending;
    },
  };
}

/** `ops-slack` → `FUNDWATCH_WEBHOOK_URL_OPS_SLACK`. */
export const localWebhookEnvName = (name: string) => `FUNDWATCH_WEBHOOK_URL_${name.toUpperCase().replace(/-/g, '_')}`;

/**
 * Local runs only: the URL from `FUNDWATCH_WEBHOOK_URL_<NAME>`, else from a JSON file that maps
 * secret names to URLs (`<data-dir>/secrets.json`), so a developer's webhook stays out of the config too.
 */
export function localSecretReader(options: { env?: NodeJS.ProcessEnv; secretsFile?: string }): SecretReader {
  const env = options.env ?? process.env;
  return {
    async webhookUrl(ref) {
      const fromEnv = env[localWebhookEnvName(ref.name)];
      if (fromEnv) return urlFromSecretValue(fromEnv, ref);
      if (options.secretsFile) {
        let file: Record<string, unknown> | undefined;
        try {
          file = JSON.parse(await readFile(options.secretsFile, 'utf8')) as Record<string, unknown>;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw new Error(`${options.secretsFile} is not a JSON object of secret names to webhook URLs`);
        }
        const value = file?.[ref.secretName];
        if (typeof value === 'string') return urlFromSecretValue(value, ref);
      }
      throw new Error(
        `no webhook URL for subscription "${ref.name}": set ${localWebhookEnvName(ref.name)}` +
          (options.secretsFile ? ` or "${ref.secretName}" in ${options.secretsFile}` : ''),
      );
    },
  };
}
