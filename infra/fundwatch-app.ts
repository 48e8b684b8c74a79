import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { ConfigError, loadConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import { FundwatchStack } from './fundwatch-stack.ts';
import { STACK_NAME } from './outputs.ts';

export const DEFAULT_CONFIG_PATH = 'fundwatch.config.json';

export interface DeployInputs {
  config: Config;
  topicPackJson: string;
}

/**
 * Reads and validates what gets compiled into the bundles: the config file and its topic pack
 * (the built-in one or the operator's file), and checks that every subscribed topic exists in
 * that pack, since a misspelt topic would silently never send mail. A bad file throws its
 * ConfigError/TopicPackError, which fails the synth instead of every function's cold start.
 */
export async function loadDeployInputs(configPath: string): Promise<DeployInputs> {
  const config = await loadConfig(configPath);
  const pack = await loadTopicPack(config.topicPack);
  const known = new Set(pack.topics.map((topic) => topic.id));
  const problems = config.subscriptions.flatMap((subscription, i) =>
    subscription.topics.flatMap((topic, j) =>
      known.has(topic) ? [] : [`$.subscriptions[${i}].topics[${j}]: unknown topic "${topic}" (the topic pack has ${[...known].join(', ')})`],
    ),
  );
  if (problems.length > 0) throw new ConfigError(configPath, problems);
  // Compiled in already validated, defaults applied: the Lambda bundles then carry no validator.
  return { config, topicPackJson: JSON.stringify(pack) };
}

export interface FundwatchAppOptions extends DeployInputs {
  appProps?: AppProps;
  /** Registers the cdk-nag AwsSolutions and Serverless packs (on by default, as in `cdk synth`). */
  nag?: boolean;
}

/** Adds the stack (and by default the nag packs) to an app: what `cdk synth` runs. */
export function addFundwatch(app: App, inputs: DeployInputs, options: { nag?: boolean } = {}): FundwatchStack {
  const stack = new FundwatchStack(app, STACK_NAME, {
    config: inputs.config,
    topicPackJson: inputs.topicPackJson,
    description: 'fundwatch: polls news feeds for one story, stores matches, emails alerts',
  });
  if (options.nag ?? true) addNagPacks(app);
  return stack;
}

/** A fresh app built as `cdk synth` builds it; tests use this. */
export function buildFundwatchApp(options: FundwatchAppOptions): { app: App; stack: FundwatchStack } {
  const app = new App(options.appProps);
  return { app, stack: addFundwatch(app, options, { nag: options.nag }) };
}

export function addNagPacks(app: App): void {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
}
