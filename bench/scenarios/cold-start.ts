import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { FundwatchFunction, PROJECT_ROOT } from '#infra/constructs/fundwatch-function.ts';
import { FUNCTION_ENV, METRICS } from '#infra/outputs.ts';
import { DEFAULT_CONFIG_PATH, loadDeployInputs, type DeployInputs } from '#infra/fundwatch-app.ts';
import { bytesBySource } from '../lib/sourcemap-sizes.ts';
import { median, percentile } from '../lib/stats.ts';

/**
 * Cold start of the poll function as deployed. The bundles are built by the stack's own
 * construct (`FundwatchFunction`, whose NodejsFunction bundling options are not exported as a
 * value: ESM, minify, keepNames, source map, target node22, SDK bundled, the config `define`d,
 * the createRequire banner) in a throwaway CDK app synthesised with real esbuild, from the
 * repository's `fundwatch.config.json`. The baseline handler goes through the same construct.
 *
 * Init time is measured from `spawn('node')` to the child's "handler exported" line, with the
 * environment the stack sets (TABLE_NAME, Powertools names, NODE_OPTIONS=--enable-source-maps)
 * plus AWS_REGION as Lambda sets it; median of several runs. A bare `node` that imports nothing
 * is timed the same way, so Node's own start-up can be subtracted.
 *
 * Two baselines, bundled by the same construct: `poll-whole-sdk.ts` is the poll handler plus
 * the SDK imported whole (v2-style, no tree-shaking): the ratio row. `whole-sdk-handler.ts` is
 * the tutorial Lambda (rss-parser, regex, PutItem, SNS) importing the whole SDK: for context.
 * Where the poll bundle's bytes go is read from its own source map.
 */

export interface BundleMeasure {
  bytes: number;
  gzipBytes: number;
  initMs: number;
  initMsRuns: number[];
  initMsP90: number;
}

export interface ColdStartResult {
  poll: BundleMeasure;
  /** The poll handler plus the whole SDK (the baseline of the ratio). */
  pollWholeSdk: BundleMeasure;
  /** The tutorial Lambda importing the whole SDK (context only). */
  tutorialWholeSdk: BundleMeasure;
  bareNodeMs: number;
  bareNodeMsRuns: number[];
  runs: number;
  /** Bytes of the deployed poll bundle per package (largest first), from its source map. */
  pollBreakdown: { package: string; bytes: number }[];
  synthMs: number;
}

const OUT = join(PROJECT_ROOT, 'bench', 'out');
const PROBE = `const m = await import(process.argv[1]); if (typeof m.handler !== 'function') { process.exit(3); } process.stdout.write('handler exported\\n');`;

function timeInit(bundle: string | undefined, env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = bundle ? ['--input-type=module', '-e', PROBE, pathToFileURL(bundle).href] : ['-e', "process.stdout.write('handler exported\\n')"];
    const started = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let done = false;
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (!done && out.includes('handler exported')) {
        done = true;
        resolve(performance.now() - started);
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!done) reject(new Error(`init probe exited with ${code} before exporting a handler:\n${err.slice(-2000)}`));
    });
  });
}

function lambdaEnv(): NodeJS.ProcessEnv {
  // Only what Lambda and the stack would set: no developer credentials or options leak in.
  return {
    PATH: process.env.PATH,
    AWS_REGION: 'us-east-1',
    AWS_LAMBDA_FUNCTION_NAME: 'bench-cold-start',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    [FUNCTION_ENV.tableName]: 'bench-table',
    [FUNCTION_ENV.serviceName]: METRICS.service,
    [FUNCTION_ENV.metricsNamespace]: METRICS.namespace,
    [FUNCTION_ENV.alertTopicArn]: 'arn:aws:sns:us-east-1:123456789012:bench',
    NODE_OPTIONS: '--enable-source-maps',
  };
}

async function synthBundles(outdir: string, inputs: DeployInputs): Promise<{ poll: string; pollWholeSdk: string; tutorialWholeSdk: string }> {
  const app = new App({ outdir });
  const stack = new Stack(app, 'BenchColdStart');
  // The same inputs `cdk synth` compiles in: the validated config and its topic pack.
  const common = { ...inputs, timeout: Duration.seconds(60), memorySize: 512 };
  const poll = new FundwatchFunction(stack, 'Poll', { ...common, entry: 'functions/poll.ts', description: 'bench: poll as deployed' });
  const pollWhole = new FundwatchFunction(stack, 'PollWholeSdk', { ...common, entry: 'bench/cold-start/poll-whole-sdk.ts', description: 'bench: poll + whole SDK' });
  const tutorial = new FundwatchFunction(stack, 'TutorialWholeSdk', { ...common, entry: 'bench/cold-start/whole-sdk-handler.ts', description: 'bench: tutorial, whole SDK' });
  app.synth();
  const bundleOf = (fn: FundwatchFunction) => join(outdir, (fn.node.findChild('Code') as Asset).assetPath, 'index.mjs');
  return { poll: bundleOf(poll), pollWholeSdk: bundleOf(pollWhole), tutorialWholeSdk: bundleOf(tutorial) };
}

export async function runColdStartScenario(options: { runs: number }, log: (line: string) => void): Promise<ColdStartResult> {
  const outdir = join(OUT, 'cold-start-cdk');
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const synthStarted = performance.now();
  log('  bundling poll and whole-SDK handlers with the stack construct (cdk synth, esbuild)');
  const inputs = await loadDeployInputs(join(PROJECT_ROOT, DEFAULT_CONFIG_PATH));
  const bundles = await synthBundles(outdir, inputs);
  const synthMs = performance.now() - synthStarted;
  const pollBreakdown = bytesBySource(readFileSync(bundles.poll, 'utf8'), JSON.parse(readFileSync(`${bundles.poll}.map`, 'utf8')));

  const env = lambdaEnv();
  log(`  timing init, ${options.runs} interleaved runs each (poll, poll + whole SDK, tutorial + whole SDK, bare node)`);
  const targets = [bundles.poll, bundles.pollWholeSdk, bundles.tutorialWholeSdk, undefined];
  const samples: number[][] = targets.map(() => []);
  for (const target of targets) await timeInit(target, env); // the first run fills the disk cache; not counted
  // Interleaved, so a burst of load on this shared machine hits all of them alike.
  for (let i = 0; i < options.runs; i++) {
    for (const [t, target] of targets.entries()) samples[t]!.push(await timeInit(target, env));
  }
  const measure = (t: number): BundleMeasure => {
    const bundle = targets[t]!;
    const runs = samples[t]!;
    return { bytes: statSync(bundle).size, gzipBytes: gzipSync(readFileSync(bundle)).length, initMs: median(runs), initMsRuns: runs, initMsP90: percentile(runs, 90) };
  };
  const poll = measure(0);
  const pollWholeSdk = measure(1);
  const tutorialWholeSdk = measure(2);
  const bare = samples[3]!;
  return {
    poll,
    pollWholeSdk,
    tutorialWholeSdk,
    bareNodeMs: median(bare),
    bareNodeMsRuns: bare,
    runs: options.runs,
    pollBreakdown: pollBreakdown.slice(0, 15),
    synthMs,
  };
}
