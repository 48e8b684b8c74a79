import { App, Validations, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { loadConfig } from '#shared/config/load.ts';
import type { Config } from '#shared/config/schema.ts';
import { FundwatchStack } from './fundwatch-stack.ts';
import { STACK_NAME } from './outputs.ts';

export const DEFAULT_CONFIG_PATH = 'fundwatch.config.json';

export interface DeployInputs {
  config: Config;
  topicPackJson?: string;
}

/**
 * Reads and validates what gets compiled into the bundles: the config file and, when it names
 * one, the topic pack. A bad file throws its ConfigError/TopicPackError, which fails the synth.
 */
export async function loadDeployInputs(configPath: string): Promise<DeployInputs> {
  const config = await loadConfig(configPath);
  if (config.topicPack === 'default') return { config };
  // Loaded only when named, so the default deploy does not depend on the pack loader.
  const { loadTopicPack } = await import('#shared/classify/topic-pack.ts');
  const pack = await loadTopicPack(config.topicPack);
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
