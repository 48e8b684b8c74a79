import { describeIssue, readJsonDocument } from './json-document.ts';
import { configSchema, type Config } from './schema.ts';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a valid fundwatch config:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Validates an already-parsed value; `source` names it in errors. */
export function parseConfig(value: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(value);
  if (!result.success) throw new ConfigError(source, result.error.issues.map(describeIssue));
  return result.data;
}

export async function loadConfig(path: string): Promise<Config> {
  const read = await readJsonDocument(path);
  if ('problem' in read) throw new ConfigError(path, [read.problem]);
  return parseConfig(read.value, path);
}
