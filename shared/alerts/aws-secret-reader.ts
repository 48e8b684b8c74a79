import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { urlFromSecretValue, type SecretReader, type WebhookSecretRef } from './webhook-secrets.ts';

/**
 * The delivery function's secret reader: Secrets Manager's GetSecretValue, or SSM's GetParameter
 * with decryption for a SecureString. Wrap it in `cachingSecretReader` so each secret is read
 * once per cold start. Errors carry the secret's name and the service's error name, never a value.
 */
export function awsSecretReader(clients: { secretsManager: SecretsManagerClient; ssm: SSMClient }): SecretReader {
  return {
    async webhookUrl(ref: WebhookSecretRef) {
      try {
        if (ref.secretStore === 'ssm') {
          const out = await clients.ssm.send(new GetParameterCommand({ Name: ref.secretName, WithDecryption: true }));
          if (out.Parameter?.Type !== 'SecureString') {
            throw new Error(`SSM parameter ${ref.secretName} is a ${out.Parameter?.Type ?? 'parameter of unknown type'}, not a SecureString; a webhook URL is a secret`);
          }
          return urlFromSecretValue(out.Parameter.Value ?? '', ref);
        }
        const out = await clients.secretsManager.send(new GetSecretValueCommand({ SecretId: ref.secretName }));
        if (out.SecretString === undefined) throw new Error(`secret ${ref.secretName} has no string value (binary secrets are not read)`);
        return urlFromSecretValue(out.SecretString, ref);
      } catch (err) {
        const name = err instanceof Error ? err.name : 'Error';
        const message = err instanceof Error ? err.message : String(err);
        throw new Error(`reading the webhook URL of "${ref.name}" from ${ref.secretStore === 'ssm' ? 'SSM parameter' : 'secret'} ${ref.secretName} failed: ${name === 'Error' ? message : `${name}: ${message}`}`);
      }
    },
  };
}
