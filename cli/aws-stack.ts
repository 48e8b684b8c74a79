import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { STACK_NAME, STACK_OUTPUTS } from '#infra/outputs.ts';
import { UsageError } from './errors.ts';

export interface StackOutputs {
  apiUrl: string;
  tableName: string;
  alertTopicArn: string;
  /** The region the stack was found in (the SDK's default chain: AWS_REGION, profile). */
  region: string;
}

/**
 * The deployed stack's outputs, so `--aws` commands need no names typed in: they find the API,
 * the table and the alert topic the way `cdk deploy` left them.
 */
export async function readStackOutputs(options: { stackName?: string; region?: string; client?: CloudFormationClient } = {}): Promise<StackOutputs> {
  const stackName = options.stackName ?? STACK_NAME;
  const client = options.client ?? new CloudFormationClient(options.region ? { region: options.region } : {});
  let outputs: { OutputKey?: string; OutputValue?: string }[];
  try {
    const result = await client.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = result.Stacks?.[0];
    if (!stack) throw new UsageError(`stack ${stackName} not found; deploy it first with \`npx cdk deploy\``);
    outputs = stack.Outputs ?? [];
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/does not exist/i.test(message)) {
      throw new UsageError(`stack ${stackName} not found in this account and region; deploy it first with \`npx cdk deploy\``);
    }
    throw new Error(`could not read the outputs of stack ${stackName}: ${message}`);
  }
  const value = (key: string) => {
    const found = outputs.find((o) => o.OutputKey === key)?.OutputValue;
    if (!found) throw new Error(`stack ${stackName} has no output ${key}; redeploy it with this version`);
    return found;
  };
  const region = await client.config.region();
  return {
    apiUrl: value(STACK_OUTPUTS.apiUrl),
    tableName: value(STACK_OUTPUTS.tableName),
    alertTopicArn: value(STACK_OUTPUTS.alertTopicArn),
    region,
  };
}
