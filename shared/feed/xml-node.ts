/**
 * Reading xml2js output without trusting it. Element and attribute names come from the feed, so
 * lookups go through own properties only: `node['constructor']` on a string, or `__proto__` on
 * a plain object, must never hand back something from a prototype.
 */

export function own(node: unknown, key: string): unknown {
  if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return undefined;
  return (node as Record<string, unknown>)[key];
}

/** The repeated child elements xml2js keeps as an array (explicitArray), or none. */
export function list(node: unknown, key: string): unknown[] {
  const value = own(node, key);
  return Array.isArray(value) ? value : [];
}

export function attr(node: unknown, name: string): string | undefined {
  const value = own(own(node, '$'), name);
  return typeof value === 'string' ? value : undefined;
}

/** Text of an element with no child elements: xml2js gives a string, or `{ _: text, $: attrs }`. */
export function ownText(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  const text = own(node, '_');
  return typeof text === 'string' ? text : undefined;
}

const MAX_NODES = 5_000;
const MAX_DEPTH = 64;

/**
 * All text under an element, children included (Atom `type="xhtml"` content arrives as child
 * elements). Walks iteratively with node, depth and length budgets because nesting and size are
 * the feed's choice. Attributes never become text; the order of mixed text and children is lost,
 * which is fine for plain-text summaries.
 */
export function deepText(node: unknown, maxLength: number): string {
  if (typeof node === 'string') return node.slice(0, maxLength);
  const parts: string[] = [];
  let length = 0;
  let visited = 0;
  const stack: Array<{ node: unknown; depth: number }> = [{ node, depth: 0 }];
  while (stack.length > 0 && length < maxLength && visited < MAX_NODES) {
    const { node: current, depth } = stack.pop()!;
    visited += 1;
    if (typeof current === 'string') {
      parts.push(current);
      length += current.length;
      continue;
    }
    if (typeof current !== 'object' || current === null || depth >= MAX_DEPTH) continue;
    const text = own(current, '_');
    if (typeof text === 'string') {
      parts.push(text);
      length += text.length;
    }
    const keys = Object.keys(current).filter((key) => key !== '_' && key !== '$');
    // Reversed so that popping the stack visits children in document order.
    for (let k = keys.length - 1; k >= 0; k -= 1) {
      const children = own(current, keys[k]!);
      if (!Array.isArray(children)) continue;
      for (let c = children.length - 1; c >= 0; c -= 1) stack.push({ node: children[c], depth: depth + 1 });
    }
  }
  return parts.join(' ').slice(0, maxLength);
}
