#!/usr/bin/env node
// The CLI is TypeScript run through tsx's loader, so `npx fundwatch` needs no build step.
import { register } from 'tsx/esm/api';

// The SDK warns on every run that Node 20 support ends in 2027; the Lambda runtime is Node 22+.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv);
