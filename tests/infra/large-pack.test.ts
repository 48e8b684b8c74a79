import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { App, Duration, Stack } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import { FundwatchFunction } from '#infra/constructs/fundwatch-function.ts';
import { defaultTopicPack } from '#shared/classify/topic-pack.ts';
import { encodeCompiledJson } from '#shared/config/runtime.ts';
import { testConfig } from './support.ts';

// Linux refuses one command-line argument longer than this (MAX_ARG_STRLEN), and esbuild gets
// each `define` as one argument: a plain pack above it failed the synth with `spawn E2BIG`.
const MAX_ARG_STRLEN = 128 * 1024;

describe('a topic pack larger than one command-line argument may be', () => {
  let outdir: string;
  let fn: FundwatchFunction;
  let packJson: string;

  beforeAll(() => {
    const pack = defaultTopicPack();
    // An operator's pack with many more terms: distinct words, so the size is not all repetition.
    const terms = Array.from({ length: 9000 }, (_, i) => `padding${i.toString(36)}word`);
    packJson = JSON.stringify({ ...pack, concepts: { ...pack.concepts, padding: { note: 'size only', terms: { any: terms } } } });
    outdir = mkdtempSync(join(tmpdir(), 'fundwatch-large-pack-'));
    const app = new App({ outdir });
    fn = new FundwatchFunction(new Stack(app, 'LargePack'), 'Query', {
      entry: 'functions/query.ts',
      description: 'query bundle with a large pack',
      config: testConfig(),
      topicPackJson: packJson,
      timeout: Duration.seconds(10),
      memorySize: 256,
    });
    app.synth();
  }, 120_000);

  afterAll(() => {
    if (outdir) rmSync(outdir, { recursive: true, force: true });
  });

  it('is bundled (no E2BIG) with the whole pack compiled in, compressed', () => {
    expect(Buffer.byteLength(packJson)).toBeGreaterThan(MAX_ARG_STRLEN + 50_000);
    const bundle = join(outdir, (fn.node.findChild('Code') as Asset).assetPath, 'index.mjs');
    const code = readFileSync(bundle, 'utf8');
    const encoded = encodeCompiledJson(packJson);
    expect(encoded.length).toBeLessThan(MAX_ARG_STRLEN);
    expect(code.includes(encoded)).toBe(true);
  });
});
