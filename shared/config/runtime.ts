import { ConfigError, parseConfig } from './load.ts';
import type { Config } from './schema.ts';

/**
 * In Lambda the validated config file is compiled into the bundle: the stack's esbuild step
 * replaces `process.env.FUNDWATCH_CONFIG` with the file's JSON, so a bad deploy fails at
 * synth time, and the feed list is not bound by Lambda's 4 KB environment limit.
 */
export function loadRuntimeConfig(): Config {
  const json = process.env.FUNDWATCH_CONFIG;
  if (!json) throw new ConfigError('FUNDWATCH_CONFIG', ['not set: the function was bundled without a config']);
  return parseConfig(JSON.parse(json), 'FUNDWATCH_CONFIG');
}

/** Reads a required environment variable once, at cold start, so a bad deploy fails at once. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
