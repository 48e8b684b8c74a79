/**
 * The evidence a stored match keeps: for each of its topics, the deciding rule, the sentence it
 * was decided on (`sentence:title` or `sentence:<n>`, by name only: the title and summary are
 * stored anyway) and the first few distinct phrases that matched — what an email's "Why" line, a
 * query result and the web page's highlighting use. The classifier's full list (every fired rule, near-miss topics) would make
 * most rows larger than 1 KB, and DynamoDB bills every row, index copy and topic row by the KB.
 */

const MAX_RULES = 1;
const MAX_PHRASES = 4;
const MAX_VETOES = 1;

export function storedEvidence(evidence: Record<string, string[]>, topics: readonly string[]): Record<string, string[]> {
  const kept: Record<string, string[]> = {};
  for (const topic of topics) {
    const rules: string[] = [];
    let sentence: string | undefined;
    const phrases = new Map<string, string>();
    const vetoes: string[] = [];
    for (const entry of evidence[topic] ?? []) {
      if (entry.startsWith('rule:')) {
        if (rules.length < MAX_RULES) rules.push(entry);
      } else if (entry.startsWith('sentence:')) {
        sentence ??= entry.split(' ← ')[0];
      } else if (entry.startsWith('veto:')) {
        if (vetoes.length < MAX_VETOES) vetoes.push(entry);
      } else {
        // `concept:<id> ← '<words>' (via …)`: one entry per distinct wording is enough.
        const words = entry.split(' ← ')[1]?.replace(/ \(via [^)]*\)$/, '') ?? entry;
        if (!phrases.has(words) && phrases.size < MAX_PHRASES) phrases.set(words, entry.replace(/ \(via [^)]*\)$/, ''));
      }
    }
    kept[topic] = [...rules, ...(sentence ? [sentence] : []), ...phrases.values(), ...vetoes];
  }
  return kept;
}
