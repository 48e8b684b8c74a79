import { defineConfig } from 'vitest/config';

/**
 * Two projects, so that the browser is provisioned (tests/support/browser-setup.ts) only when
 * the browser tests are part of the run. DynamoDB Local is each file's own
 * (tests/support/dynamo-per-file.ts), stopped by the setup file when the file ends.
 */
export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Most files wait on loopback servers, DynamoDB Local or child processes rather than the CPU;
    // vitest's default on a 2-core runner (cores - 1) would run them one at a time.
    maxWorkers: 2,
    setupFiles: ['tests/support/file-setup.ts'],
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'suite', include: ['tests/**/*.test.ts'], exclude: ['tests/e2e/**'] },
      },
      {
        extends: true,
        test: { name: 'browser', include: ['tests/e2e/**/*.test.ts'], globalSetup: ['tests/support/browser-setup.ts'] },
      },
    ],
  },
});
