import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { GetSecretValueCommand, ResourceNotFoundException, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { awsSecretReader } from '#shared/alerts/aws-secret-reader.ts';
import { cachingSecretReader, localSecretReader, type WebhookSecretRef } from '#shared/alerts/webhook-secrets.ts';

const secretsManager = mockClient(SecretsManagerClient);
const ssm = mockClient(SSMClient);
const reader = () =>
  cachingSecretReader(awsSecretReader({ secretsManager: new SecretsManagerClient({ region: 'eu-west-1' }), ssm: new SSMClient({ region: 'eu-west-1' }) }));

const sm: WebhookSecretRef = { name: 'ops-slack', secretName: 'fundwatch/ops-slack', secretStore: 'secrets-manager' };
const param: WebhookSecretRef = { name: 'newsroom', secretName: '/fundwatch/newsroom', secretStore: 'ssm' };
const URL_A = 'https://hooks.slack.com/services/T0/B0/SECRET';

beforeEach(() => {
  secretsManager.reset();
  ssm.reset();
});

describe('the AWS secret reader', () => {
  it('reads a Secrets Manager secret once per process, by name, plain or {"url"}', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: 'fundwatch/ops-slack' }).resolves({ SecretString: ` ${URL_A}\n` });
    secretsManager.on(GetSecretValueCommand, { SecretId: 'fundwatch/json' }).resolves({ SecretString: JSON.stringify({ url: 'https://example.org/h' }) });
    const secrets = reader();
    expect(await Promise.all([secrets.webhookUrl(sm), secrets.webhookUrl(sm)])).toEqual([URL_A, URL_A]);
    expect(await secrets.webhookUrl(sm)).toBe(URL_A);
    expect(await secrets.webhookUrl({ ...sm, name: 'j', secretName: 'fundwatch/json' })).toBe('https://example.org/h');
    expect(secretsManager.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([{ SecretId: 'fundwatch/ops-slack' }, { SecretId: 'fundwatch/json' }]);
    expect(ssm.calls()).toHaveLength(0);
  });

  it('reads an SSM SecureString with decryption, and refuses a plain String parameter', async () => {
    ssm.on(GetParameterCommand).resolvesOnce({ Parameter: { Type: 'SecureString', Value: URL_A } }).resolves({ Parameter: { Type: 'String', Value: URL_A } });
    expect(await reader().webhookUrl(param)).toBe(URL_A);
    expect(ssm.commandCalls(GetParameterCommand).map((c) => c.args[0].input)).toEqual([{ Name: '/fundwatch/newsroom', WithDecryption: true }]);
    await expect(reader().webhookUrl(param)).rejects.toThrow('SSM parameter /fundwatch/newsroom is a String, not a SecureString');
  });

  it('does not cache a failed read, and names the secret but never a value', async () => {
    secretsManager
      .on(GetSecretValueCommand)
      .rejectsOnce(new ResourceNotFoundException({ message: "Secrets Manager can't find the specified secret.", $metadata: {} }))
      .resolves({ SecretString: URL_A });
    const secrets = reader();
    await expect(secrets.webhookUrl(sm)).rejects.toThrow(
      'reading the webhook URL of "ops-slack" from secret fundwatch/ops-slack failed: ResourceNotFoundException: Secrets Manager can\'t find the specified secret.',
    );
    expect(await secrets.webhookUrl(sm)).toBe(URL_A);
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('says what is wrong with an unusable secret value', async () => {
    secretsManager.on(GetSecretValueCommand).resolves({ SecretString: '{"webhook": "x"}' });
    await expect(reader().webhookUrl(sm)).rejects.toThrow('secret fundwatch/ops-slack is JSON without a "url" string');
  });
});

describe('the local secret reader', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fundwatch-secrets-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('takes FUNDWATCH_WEBHOOK_URL_<NAME> first, then the secrets file, else names both', async () => {
    const file = join(dir, 'secrets.json');
    writeFileSync(file, JSON.stringify({ 'fundwatch/ops-slack': 'http://127.0.0.1:9999/from-file' }));
    const fromEnv = localSecretReader({ env: { FUNDWATCH_WEBHOOK_URL_OPS_SLACK: 'http://127.0.0.1:9999/from-env' }, secretsFile: file });
    expect(await fromEnv.webhookUrl(sm)).toBe('http://127.0.0.1:9999/from-env');
    const fromFile = localSecretReader({ env: {}, secretsFile: file });
    expect(await fromFile.webhookUrl(sm)).toBe('http://127.0.0.1:9999/from-file');
    await expect(fromFile.webhookUrl(param)).rejects.toThrow(`no webhook URL for subscription "newsroom": set FUNDWATCH_WEBHOOK_URL_NEWSROOM or "/fundwatch/newsroom" in ${file}`);
  });
});
