/**
 * `cdk synth` / `cdk deploy` entry point (cdk.json). The config file comes from the context:
 * `npx cdk deploy -c config=path/to/config.json` (default fundwatch.config.json).
 */
import { App } from 'aws-cdk-lib';
import { addFundwatch, DEFAULT_CONFIG_PATH, loadDeployInputs } from './fundwatch-app.ts';

const app = new App();
const configPath = String(app.node.tryGetContext('config') ?? DEFAULT_CONFIG_PATH);

try {
  addFundwatch(app, await loadDeployInputs(configPath));
  app.synth();
} catch (err) {
  // A config or topic pack error is the operator's to fix: its message lists every problem.
  const known = err instanceof Error && (err.name === 'ConfigError' || err.name === 'TopicPackError');
  console.error(known ? (err as Error).message : err);
  process.exit(1);
}
