/**
 * DynamoDB's item-size rules, which decide what every write is billed: one write unit per
 * started KB of the item, on the table and again on each index that holds a copy. Values are in
 * document-client form (before marshalling). Source: "Item sizes and formats", Amazon DynamoDB
 * Developer Guide.
 */

export const WRITE_UNIT_BYTES = 1024;

export const utf8Bytes = (text: string) => Buffer.byteLength(text, 'utf8');

/** The size of one attribute value. */
export function valueSize(value: unknown): number {
  if (value === null || value === undefined || typeof value === 'boolean') return 1;
  if (typeof value === 'string') return utf8Bytes(value);
  // One byte per two significant digits, plus one.
  if (typeof value === 'number') return Math.ceil(String(Math.abs(value)).replace(/[.-]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (value instanceof Set) return 3 + [...value].reduce((sum: number, v) => sum + valueSize(v), 0);
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, v) => sum + 1 + valueSize(v), 0);
  if (typeof value === 'object') {
    return 3 + Object.entries(value as Record<string, unknown>).reduce((sum, [k, v]) => sum + 1 + utf8Bytes(k) + valueSize(v), 0);
  }
  return 0;
}

/** The size of an item: its attribute names plus their values (undefined attributes are not written). */
export function itemSize(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) if (value !== undefined) size += utf8Bytes(name) + valueSize(value);
  return size;
}
