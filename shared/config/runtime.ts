import { gunzipSync, gzipSync } from 'node:zlib';
import type { Config } from './schema.ts';

/**
 * In Lambda the config file is compiled into the bundle: the stack's esbuild step replaces
 * `process.env.FUNDWATCH_CONFIG` with the JSON that `loadConfig` validated at synth (defaults
 * applied, compressed by `encodeCompiledJson`), so a bad config fails the deploy, the feed list is not bound by Lambda's 4 KB
 * environment limit, and the bundle carries no schema library.
 */
export function loadRuntimeConfig(): Config {
  const config = parseCompiledJson('FUNDWATCH_CONFIG', process.env.FUNDWATCH_CONFIG) as Config;
  if (!Array.isArray(config.feeds) || typeof config.alerts !== 'object') {
    throw new Error('FUNDWATCH_CONFIG is not a validated config: build the function with the stack (cdk synth)');
  }
  return config;
}

/**
 * How the stack compiles a JSON text into a bundle: gzipped and base64-encoded. esbuild receives
 * each `define` as one command-line argument, and Linux caps one argument at 128 KiB
 * (MAX_ARG_STRLEN), so a plain topic pack or a long feed list would fail the synth with
 * `spawn E2BIG`; compressed (and base64-encoded) the built-in pack takes under half the room.
 */
export function encodeCompiledJson(json: string): string {
  return gzipSync(json, { level: 9 }).toString('base64');
}

/** JSON compiled into the bundle by the stack (see `encodeCompiledJson`); absent only when the code was not built by it. */
export function parseCompiledJson(name: string, encoded: string | undefined): unknown {
  if (!encoded) throw new Error(`${name} is not set: the function was bundled without it (build it with the stack)`);
  let json: string;
  try {
    json = gunzipSync(Buffer.from(encoded, 'base64')).toString('utf8');
  } catch (err) {
    throw new Error(`${name} is not gzip + base64 as the stack compiles it in (${(err as Error).message}): build the function with the stack`);
  }
  try {
    return JSON.parse(json);
  } catch (err) {
    throw new Error(`${name} is not valid JSON: ${(err as Error).message}`);
  }
}

/** Reads a required environment variable once, at cold start, so a bad deploy fails at once. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
