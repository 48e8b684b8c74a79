import { Command, Option } from 'commander';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  ConfirmSubscriptionCommand,
  GetSubscriptionAttributesCommand,
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { STACK_NAME, STACK_OUTPUTS } from '#infra/outputs.ts';
import { loadConfig } from '#shared/config/load.ts';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { ALERT_MESSAGE_ATTRIBUTES } from '#shared/alerts/message-attributes.ts';
import type { AlertMode } from '#shared/model.ts';
import { UsageError } from '#cli/errors.ts';

/**
 * `fundwatch subscribe | unsubscribe | subscriptions | confirm-subscription`: email
 * subscriptions on the deployed alert topic. Routing is an SNS filter policy on the message
 * attributes `topic` and `mode` that every alert carries (ALERT_MESSAGE_ATTRIBUTES).
 *
 * SNS keeps one subscription per (topic, protocol, address), so an address's choices live in
 * one filter policy: subscribing again adds (topic, mode) pairs to it, unsubscribing from some
 * topics removes pairs, and removing the last pair removes the subscription.
 */

export interface SubscribeCommandDeps {
  sns?: (region: string | undefined) => SNSClient;
  cloudFormation?: (region: string | undefined) => CloudFormationClient;
  /** Valid topic ids; by default those of the config's topic pack (or the built-in one). */
  topicIds?: (configPath: string | undefined) => Promise<string[]>;
  out?: { write(chunk: string): unknown };
}

interface CommonOptions {
  topicArn?: string;
  region?: string;
  config?: string;
}

type Pair = `${string}\u0000${AlertMode}`;
const MODES: readonly AlertMode[] = ['instant', 'daily'];
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

async function defaultTopicIds(configPath: string | undefined): Promise<string[]> {
  const packRef = configPath ? (await loadConfig(configPath)).topicPack : 'default';
  return (await loadTopicPack(packRef)).topics.map((t) => t.id);
}

export function parseTopics(value: string | undefined, valid: readonly string[]): string[] {
  const topics = [...new Set((value ?? '').split(',').map((t) => t.trim()).filter(Boolean))];
  if (topics.length === 0) throw new UsageError(`--topics: expected one or more of ${valid.join(', ')}`);
  const unknown = topics.filter((t) => !valid.includes(t));
  if (unknown.length > 0) {
    throw new UsageError(`--topics: unknown topic ${unknown.map((t) => `"${t}"`).join(', ')}; valid topics: ${valid.join(', ')}`);
  }
  return topics;
}

function checkEmail(email: string): string {
  if (!EMAIL.test(email)) throw new UsageError(`expected an email address, got ${JSON.stringify(email)}`);
  return email;
}

/** The (topic, mode) pairs a filter policy routes; tolerant of policies written by hand. */
export function pairsOfPolicy(policyJson: string | undefined): Set<Pair> {
  const pairs = new Set<Pair>();
  if (!policyJson) return pairs;
  let policy: unknown;
  try {
    policy = JSON.parse(policyJson);
  } catch {
    return pairs;
  }
  const clauses = (policy as { $or?: unknown[] }).$or ?? [policy];
  for (const clause of clauses) {
    const fields = (clause ?? {}) as Record<string, unknown>;
    const topic = fields[ALERT_MESSAGE_ATTRIBUTES.topic];
    const mode = fields[ALERT_MESSAGE_ATTRIBUTES.mode];
    const topics = Array.isArray(topic) ? topic.filter((t): t is string => typeof t === 'string') : [];
    const modes = Array.isArray(mode) ? mode.filter((m): m is AlertMode => MODES.includes(m as AlertMode)) : [...MODES];
    for (const t of topics) for (const m of modes) pairs.add(`${t}\u0000${m}`);
  }
  return pairs;
}

/** One clause per mode; `$or` only when both modes are used. */
export function policyOfPairs(pairs: Set<Pair>): string {
  const byMode = new Map<AlertMode, string[]>();
  for (const pair of [...pairs].sort()) {
    const [topic, mode] = pair.split('\u0000') as [string, AlertMode];
    byMode.set(mode, [...(byMode.get(mode) ?? []), topic]);
  }
  const clauses = MODES.filter((m) => byMode.has(m)).map((m) => ({ [ALERT_MESSAGE_ATTRIBUTES.topic]: byMode.get(m)!, [ALERT_MESSAGE_ATTRIBUTES.mode]: [m] }));
  return JSON.stringify(clauses.length === 1 ? clauses[0] : { $or: clauses });
}

const pair = (topic: string, mode: AlertMode): Pair => `${topic}\u0000${mode}`;

interface Existing {
  arn: string;
  endpoint: string;
  pending: boolean;
}

async function listEmailSubscriptions(sns: SNSClient, topicArn: string): Promise<Existing[]> {
  const found: Existing[] = [];
  let token: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, NextToken: token }));
    for (const s of page.Subscriptions ?? []) {
      if (s.Protocol !== 'email' || !s.Endpoint || !s.SubscriptionArn) continue;
      found.push({ arn: s.SubscriptionArn, endpoint: s.Endpoint, pending: !s.SubscriptionArn.startsWith('arn:') });
    }
    token = page.NextToken;
  } while (token);
  return found;
}

const sameAddress = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

async function filterPolicyOf(sns: SNSClient, arn: string): Promise<string | undefined> {
  const result = await sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }));
  return result.Attributes?.FilterPolicy;
}

async function resolveTopicArn(opts: CommonOptions, deps: SubscribeCommandDeps): Promise<string> {
  if (opts.topicArn) {
    if (!/^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/.test(opts.topicArn)) {
      throw new UsageError(`--topic-arn: expected an SNS topic ARN, got ${JSON.stringify(opts.topicArn)}`);
    }
    return opts.topicArn;
  }
  const cfn = (deps.cloudFormation ?? ((region) => new CloudFormationClient(region ? { region } : {})))(opts.region);
  try {
    const result = await cfn.send(new DescribeStacksCommand({ StackName: STACK_NAME }));
    const arn = result.Stacks?.[0]?.Outputs?.find((o) => o.OutputKey === STACK_OUTPUTS.alertTopicArn)?.OutputValue;
    if (!arn) throw new UsageError(`stack ${STACK_NAME} has no output ${STACK_OUTPUTS.alertTopicArn}; pass --topic-arn or redeploy`);
    return arn;
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/does not exist/i.test(message)) {
      throw new UsageError(`stack ${STACK_NAME} not found in this account and region; deploy it first or pass --topic-arn`);
    }
    throw new Error(`could not read the outputs of stack ${STACK_NAME}: ${message}`);
  } finally {
    cfn.destroy();
  }
}

function withCommon(command: Command): Command {
  return command
    .option('--topic-arn <arn>', `the alert topic (default: output ${STACK_OUTPUTS.alertTopicArn} of stack ${STACK_NAME})`)
    .option('--region <region>', 'AWS region (default: the SDK default chain)')
    .option('--config <file>', 'config file whose topic pack defines the valid topics (default: built-in pack)');
}

export function subscribeCommands(deps: SubscribeCommandDeps = {}): Command[] {
  const out = deps.out ?? process.stdout;
  const snsFor = deps.sns ?? ((region) => new SNSClient(region ? { region } : {}));
  const topicIds = deps.topicIds ?? defaultTopicIds;

  const subscribe = withCommon(
    new Command('subscribe')
      .description('Subscribe an email address to alerts for some topics (SNS sends a confirmation email first).')
      .argument('<email>', 'the address to send alerts to')
      .requiredOption('--topics <ids>', 'comma-separated topic ids')
      .addOption(new Option('--mode <mode>', 'instant (one email per poll cycle) or daily digest').choices(MODES).default('instant')),
  ).action(async (email: string, opts: CommonOptions & { topics: string; mode: AlertMode }) => {
    checkEmail(email);
    const topics = parseTopics(opts.topics, await topicIds(opts.config));
    const topicArn = await resolveTopicArn(opts, deps);
    const sns = snsFor(opts.region);
    try {
      const existing = (await listEmailSubscriptions(sns, topicArn)).find((s) => sameAddress(s.endpoint, email));
      if (existing && !existing.pending) {
        const pairs = pairsOfPolicy(await filterPolicyOf(sns, existing.arn));
        for (const t of topics) pairs.add(pair(t, opts.mode));
        const policy = policyOfPairs(pairs);
        await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: existing.arn, AttributeName: 'FilterPolicyScope', AttributeValue: 'MessageAttributes' }));
        await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: existing.arn, AttributeName: 'FilterPolicy', AttributeValue: policy }));
        out.write(`${email}: subscription updated, now receiving ${describePolicy(pairs)}\n`);
        return;
      }
      const pairs = new Set(topics.map((t) => pair(t, opts.mode)));
      let result;
      try {
        result = await sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: 'email',
            Endpoint: email,
            Attributes: { FilterPolicy: policyOfPairs(pairs), FilterPolicyScope: 'MessageAttributes' },
            ReturnSubscriptionArn: true,
          }),
        );
      } catch (err) {
        if (existing && /already exists with different attributes/i.test(String((err as Error).message))) {
          throw new UsageError(
            `${email} has an unconfirmed subscription with other topics; confirm it first (or wait for it to expire) and run this again`,
          );
        }
        throw err;
      }
      out.write(
        `${email}: confirmation email sent for ${describePolicy(pairs)} (subscription ${result.SubscriptionArn ?? 'pending'}).\n` +
          `To make sure a forwarded alert's unsubscribe link cannot remove this address, do not click the confirmation link;\n` +
          `copy the Token parameter from it and run:\n` +
          `  fundwatch confirm-subscription <token> --topic-arn ${topicArn}\n` +
          `or: aws sns confirm-subscription --topic-arn ${topicArn} --token <token> --authenticate-on-unsubscribe true\n`,
      );
    } finally {
      sns.destroy();
    }
  });

  const unsubscribe = withCommon(
    new Command('unsubscribe')
      .description('Remove an email address from some topics, or from all alerts when --topics is left out.')
      .argument('<email>', 'the subscribed address')
      .option('--topics <ids>', 'comma-separated topic ids to stop (default: all)')
      .addOption(new Option('--mode <mode>', 'only stop this mode for those topics').choices(MODES)),
  ).action(async (email: string, opts: CommonOptions & { topics?: string; mode?: AlertMode }) => {
    checkEmail(email);
    const topics = opts.topics === undefined ? undefined : parseTopics(opts.topics, await topicIds(opts.config));
    const topicArn = await resolveTopicArn(opts, deps);
    const sns = snsFor(opts.region);
    try {
      const existing = (await listEmailSubscriptions(sns, topicArn)).find((s) => sameAddress(s.endpoint, email));
      if (!existing) throw new UsageError(`${email} is not subscribed to ${topicArn}`);
      if (existing.pending) {
        throw new UsageError(`${email} has not confirmed its subscription yet; unconfirmed subscriptions expire by themselves after 3 days`);
      }
      let pairs = new Set<Pair>();
      if (topics) {
        pairs = pairsOfPolicy(await filterPolicyOf(sns, existing.arn));
        for (const t of topics) for (const m of opts.mode ? [opts.mode] : MODES) pairs.delete(pair(t, m));
      }
      if (pairs.size === 0) {
        await sns.send(new UnsubscribeCommand({ SubscriptionArn: existing.arn }));
        out.write(`${email}: unsubscribed from all fundwatch alerts\n`);
        return;
      }
      await sns.send(
        new SetSubscriptionAttributesCommand({ SubscriptionArn: existing.arn, AttributeName: 'FilterPolicy', AttributeValue: policyOfPairs(pairs) }),
      );
      out.write(`${email}: subscription updated, now receiving ${describePolicy(pairs)}\n`);
    } finally {
      sns.destroy();
    }
  });

  const list = withCommon(
    new Command('subscriptions').description('List the email subscriptions of the alert topic with their topics and modes.').option('--json', 'one JSON object per line'),
  ).action(async (opts: CommonOptions & { json?: boolean }) => {
    const topicArn = await resolveTopicArn(opts, deps);
    const sns = snsFor(opts.region);
    try {
      const subs = await listEmailSubscriptions(sns, topicArn);
      if (subs.length === 0 && !opts.json) out.write(`no email subscriptions on ${topicArn}\n`);
      for (const sub of subs) {
        const pairs = sub.pending ? new Set<Pair>() : pairsOfPolicy(await filterPolicyOf(sns, sub.arn));
        const routes = [...pairs].sort().map((p) => {
          const [topic, mode] = p.split('\u0000') as [string, AlertMode];
          return { topic, mode };
        });
        if (opts.json) {
          out.write(`${JSON.stringify({ email: sub.endpoint, status: sub.pending ? 'pending' : 'confirmed', subscriptionArn: sub.pending ? null : sub.arn, routes })}\n`);
        } else {
          out.write(`${sub.endpoint}\t${sub.pending ? 'pending confirmation' : describePolicy(pairs)}\n`);
        }
      }
    } finally {
      sns.destroy();
    }
  });

  const confirm = withCommon(
    new Command('confirm-subscription')
      .description('Confirm a subscription with AuthenticateOnUnsubscribe, so only the topic owner can remove it.')
      .argument('<token>', 'the Token parameter of the confirmation link'),
  ).action(async (token: string, opts: CommonOptions) => {
    const topicArn = await resolveTopicArn(opts, deps);
    const sns = snsFor(opts.region);
    try {
      const result = await sns.send(new ConfirmSubscriptionCommand({ TopicArn: topicArn, Token: token, AuthenticateOnUnsubscribe: 'true' }));
      out.write(`confirmed: ${result.SubscriptionArn ?? topicArn} (unsubscribing now needs AWS credentials)\n`);
    } finally {
      sns.destroy();
    }
  });

  return [subscribe, unsubscribe, list, confirm];
}

function describePolicy(pairs: Set<Pair>): string {
  const byMode = new Map<string, string[]>();
  for (const p of [...pairs].sort()) {
    const [topic, mode] = p.split('\u0000') as [string, string];
    byMode.set(mode, [...(byMode.get(mode) ?? []), topic]);
  }
  return [...byMode].map(([mode, topics]) => `${mode}: ${topics.join(', ')}`).join('; ') || 'nothing';
}
