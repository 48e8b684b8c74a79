import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { describeIssue } from './json-document.ts';
import { ConfigError, parseConfig } from './load.ts';
import { editableConfigSchema, type Config, type EditableConfig } from './schema.ts';

/**
 * Changing the config file from a command (`fundwatch feeds import | add`). The document is
 * edited as the operator wrote it (their keys, in their order, defaults not filled in), and
 * written back only when the whole result is a valid config, atomically, so a refused or
 * interrupted edit leaves the file as it was.
 */

export interface ConfigEdit {
  path: string;
  /** False when the file did not exist yet: saving creates it. */
  existed: boolean;
  /** The JSON document as read. */
  document: Record<string, unknown>;
  /** The document with defaults applied (fetch limits for discovery, the feeds so far). */
  current: EditableConfig;
}

export async function openConfigForEdit(path: string): Promise<ConfigEdit> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT') throw new ConfigError(path, [`cannot read the file: ${code ?? String(err)}`]);
    const document = { feeds: [] };
    return { path, existed: false, document, current: editableConfigSchema.parse(document) };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(path, [`not valid JSON: ${(err as Error).message}`]);
  }
  const result = editableConfigSchema.safeParse(value);
  if (!result.success) throw new ConfigError(path, result.error.issues.map(describeIssue));
  return { path, existed: true, document: value as Record<string, unknown>, current: result.data };
}

/**
 * Writes the document with `feeds` replaced, if the result validates exactly as `run` would
 * validate it; throws ConfigError (file untouched) if not. Returns the validated config.
 */
export async function saveFeeds(edit: ConfigEdit, feeds: readonly unknown[]): Promise<Config> {
  const document = { ...edit.document, feeds };
  const config = parseConfig(document, edit.path);
  const temporary = `${edit.path}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`, { flag: 'wx' });
    // The replacement keeps the permissions the operator gave the file.
    if (edit.existed) await chmod(temporary, (await stat(edit.path)).mode & 0o7777);
    await rename(temporary, edit.path);
  } catch (err) {
    await rm(temporary, { force: true });
    throw err;
  }
  return config;
}
