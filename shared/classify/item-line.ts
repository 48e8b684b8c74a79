import { z } from 'zod';

/**
 * One JSON Lines item as `fundwatch classify` and `fundwatch eval` read it. Extra fields are
 * allowed (feeds and exports carry more than we need); the ones we use must have the right type.
 */
const itemSchema = z.looseObject({
  id: z.union([z.string().min(1, 'expected a non-empty id'), z.number()]).transform(String),
  title: z.string({ error: 'expected a string' }),
  summary: z.string({ error: 'expected a string' }).nullish().transform((s) => s ?? ''),
  lang: z.string().nullish().transform((s) => s ?? undefined),
  source: z.string().nullish(),
  published: z.string().nullish(),
});

const labeledItemSchema = itemSchema.and(
  z.looseObject({ labels: z.array(z.string(), { error: 'expected an array of label ids' }) }),
);

export type ItemLine = z.infer<typeof itemSchema>;
export type LabeledItemLine = z.infer<typeof labeledItemSchema>;

/** Thrown with a message fit for "line N: <message>". */
export class ItemLineError extends Error {
  override readonly name = 'ItemLineError';
}

function parse<T>(schema: z.ZodType<T>, line: string): T {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (err) {
    throw new ItemLineError(`not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ItemLineError('expected a JSON object');
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.length > 0 ? `"${issue.path.join('.')}"` : 'item';
    const missing = issue.code === 'invalid_type' && (value as Record<string, unknown>)[String(issue.path[0])] === undefined;
    throw new ItemLineError(missing ? `missing ${field}` : `${field}: ${issue.message}`);
  }
  return result.data;
}

export function parseItemLine(line: string): ItemLine {
  return parse(itemSchema, line);
}

export function parseLabeledItemLine(line: string): LabeledItemLine {
  return parse(labeledItemSchema, line);
}
