import { readFile } from 'node:fs/promises';
import type { z } from 'zod';

/**
 * Reading a JSON document an operator wrote (the config, a topic pack) and saying what is wrong
 * with it: every problem with its JSON path, the same way for every kind of document.
 */

type PathKey = PropertyKey;

/** `$.feeds[0].url`, `$.concepts["nato-chief"]`. */
export function jsonPath(path: readonly PathKey[]): string {
  return path.reduce<string>((acc, key) => {
    if (typeof key === 'number') return `${acc}[${key}]`;
    const name = String(key);
    return /^[A-Za-z_$][\w$]*$/.test(name) ? `${acc}.${name}` : `${acc}[${JSON.stringify(name)}]`;
  }, '$');
}

export function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') {
    return `${jsonPath(issue.path)}: unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  return `${jsonPath(issue.path)}: ${issue.message}`;
}

/** The parsed file, or the one problem that stopped it being read (to report under its path). */
export async function readJsonDocument(path: string): Promise<{ value: unknown } | { problem: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    return { problem: `cannot read the file: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
  }
  try {
    return { value: JSON.parse(text) };
  } catch (err) {
    return { problem: `not valid JSON: ${(err as Error).message}` };
  }
}
