import type { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { parseConfig } from '#shared/config/load.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import type { Config, ConfigInput } from '#shared/config/schema.ts';
import { buildFundwatchApp } from '#infra/fundwatch-app.ts';
import type { FundwatchStack } from '#infra/fundwatch-stack.ts';
import type { FundwatchFunction } from '#infra/constructs/fundwatch-function.ts';

/** A small valid config; `overrides` replace top-level sections. */
export function testConfig(overrides: Partial<ConfigInput> = {}): Config {
  return parseConfig({
    feeds: [
      { url: 'https://news.example.org/feed.xml', name: 'Example News' },
      { url: 'https://other.example.net/rss', name: 'Other Outlet', language: 'de' },
    ],
    ...overrides,
  });
}

export interface Synthesized {
  app: App;
  stack: FundwatchStack;
  template: Template;
}

/**
 * The stack as `cdk synth` builds it. `bundle: false` skips esbuild through CDK's own
 * `aws:cdk:bundling-stacks` context (an empty list: no stack bundles), which leaves every
 * resource in place but points the code assets at the source directory.
 */
export function synth(config: Config, options: { bundle?: boolean; nag?: boolean; outdir?: string } = {}): Synthesized {
  const context: Record<string, unknown> = options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] };
  const { app, stack } = buildFundwatchApp({
    config,
    topicPackJson: JSON.stringify(defaultTopicPack()),
    nag: options.nag ?? false,
    appProps: { context, ...(options.outdir ? { outdir: options.outdir } : {}) },
  });
  return { app, stack, template: Template.fromStack(stack) };
}

type Resources = Record<string, { Type: string; Properties?: Record<string, any> }>;

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

export function logicalId(stack: FundwatchStack, fn: FundwatchFunction): string {
  return stack.getLogicalId(fn.node.defaultChild as CfnFunction);
}

/** Every IAM action granted to a function's role, over all the policies attached to it. */
export function actionsOfFunction(stack: FundwatchStack, template: Template, fn: FundwatchFunction): Set<string> {
  const roleId = stack.getLogicalId(fn.executionRole.node.defaultChild as import('aws-cdk-lib').CfnElement);
  const actions = new Set<string>();
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const roles: unknown[] = policy.Properties?.Roles ?? [];
    if (!roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))) continue;
    for (const statement of policy.Properties?.PolicyDocument.Statement ?? []) {
      for (const action of [statement.Action].flat()) actions.add(action);
    }
  }
  return actions;
}

export function sorted(values: Iterable<string>): string[] {
  return [...values].sort();
}
