/**
 * Where a bundle's bytes come from, read from its own source map (so the breakdown is of the
 * deployed bundle itself, not of a rebuild): each mapping segment's generated span is charged
 * to its source file, and files are grouped by npm package (or by fundwatch folder).
 */

const VLQ = new Map([...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'].map((c, i) => [c, i]));

/** Decodes one base64 VLQ segment ("AAAA,CAAC") into its numbers. */
export function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const char of segment) {
    const digit = VLQ.get(char);
    if (digit === undefined) throw new Error(`not a base64 VLQ digit: ${char}`);
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    out.push(value & 1 ? -(value >>> 1) : value >>> 1);
    value = 0;
    shift = 0;
  }
  return out;
}

export function packageOf(source: string): string {
  const npm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(source);
  if (npm) return npm[1]!;
  const own = /(?:^|\/)(shared|functions|infra|bench)\/([^/]+)\//.exec(source);
  if (own) return `fundwatch ${own[1]}/${own[2]}`;
  const top = /(?:^|\/)(shared|functions|infra|bench)\/[^/]+$/.exec(source);
  return top ? `fundwatch ${top[1]}` : source;
}

/** Bytes of generated code per package, largest first; `unmapped` is code with no source. */
export function bytesBySource(code: string, map: { sources: string[]; mappings: string }): { package: string; bytes: number }[] {
  const lines = code.split('\n');
  const totals = new Map<string, number>();
  const add = (key: string, bytes: number) => totals.set(key, (totals.get(key) ?? 0) + bytes);
  let source = 0;
  const mappingLines = map.mappings.split(';');
  for (let l = 0; l < lines.length; l++) {
    const line = lines[l]!;
    const segments = (mappingLines[l] ?? '').split(',').filter((s) => s !== '');
    let column = 0;
    let previous: { column: number; source: number | undefined } | undefined;
    let mappedFrom = line.length;
    for (const segment of segments) {
      const fields = decodeVlq(segment);
      column += fields[0]!;
      let src: number | undefined;
      if (fields.length >= 4) {
        source += fields[1]!;
        src = source;
      }
      if (previous) add(previous.source === undefined ? 'unmapped' : packageOf(map.sources[previous.source] ?? '?'), column - previous.column);
      else mappedFrom = column;
      previous = { column, source: src };
    }
    if (previous) add(previous.source === undefined ? 'unmapped' : packageOf(map.sources[previous.source] ?? '?'), line.length - previous.column);
    add('unmapped', mappedFrom + 1); // the code before the first segment, and the newline
  }
  return [...totals].map(([pkg, bytes]) => ({ package: pkg, bytes })).sort((a, b) => b.bytes - a.bytes);
}
