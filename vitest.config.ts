import { defineConfig } from 'vitest/config';

// The global setup's SDK client runs in this process; the SDK's Node 20 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const DYNAMO_SETUP = 'tests/support/global-setup.ts';

/**
 * Two projects, so that the browser is provisioned (tests/support/browser-setup.ts) only when
 * the browser tests are part of the run; each project starts its own DynamoDB Local.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on loopback servers, DynamoDB Local or child processes rather than the CPU;
    // vitest's default on a 2-core runner (cores - 1) would run them one at a time.
    maxWorkers: 2,
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['tests/**/*.test.ts'], exclude: ['tests/e2e/**'], globalSetup: [DYNAMO_SETUP] },
      },
      {
        extends: true,
        test: { name: 'browser', include: ['tests/e2e/**/*.test.ts'], globalSetup: ['tests/support/browser-setup.ts', DYNAMO_SETUP] },
      },
    ],
  },
});
