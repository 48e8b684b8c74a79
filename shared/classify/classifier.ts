import type { Classification, Classifier, ClassifierInput, TopicId } from '#shared/model.ts';
import { htmlToText } from '#shared/text/html-text.ts';
import { ConceptMatcher, type ConceptHits } from './concept-matcher.ts';
import { detectLanguage } from './language-coverage.ts';
import { TokenBuffer, tokenizeInto } from './tokenize.ts';
import type { TopicPack } from './topic-pack.ts';

/**
 * Decides topics by substance: a topic is labelled when one of its rules finds all of its
 * concepts in the item (say the alliance, Ukraine and a fund) and none of its vetoes applies
 * (say the NATO Innovation Fund). Several rules that fire strengthen each other (noisy-OR of
 * their weights). Everything is compiled when the classifier is created.
 */

/**
 * Alternatives of one condition: concept indexes, then topic flags stored after the concepts,
 * then "named in the title" flags for every concept after those.
 */
type Condition = Int32Array;

interface CompiledRule {
  id: string;
  weight: number;
  all: Condition[];
  none: Condition[];
}

interface CompiledVeto {
  id: string;
  when: Condition[];
  unless: Condition[];
}

interface CompiledTopic {
  id: TopicId;
  threshold: number;
  rules: CompiledRule[];
  vetoes: CompiledVeto[];
}

const MAX_QUOTE = 60;

export function createClassifier(pack: TopicPack): Classifier {
  const matcher = new ConceptMatcher(
    Object.entries(pack.concepts).map(([id, c]) => ({ id, terms: c.terms, except: c.except, implies: c.implies })),
  );
  const conceptCount = matcher.conceptIds.length;
  const topicIndex = new Map(pack.topics.map((t, i) => [t.id, i]));
  const titleOffset = conceptCount + pack.topics.length;
  const compileCondition = (condition: string): Condition =>
    Int32Array.from(
      condition.split('|').map((name) =>
        name.startsWith('@')
          ? conceptCount + topicIndex.get(name.slice(1))!
          : name.startsWith('^')
            ? titleOffset + matcher.indexOf(name.slice(1))
            : matcher.indexOf(name),
      ),
    );
  const topics: CompiledTopic[] = pack.topics.map((t) => ({
    id: t.id,
    threshold: t.threshold,
    rules: t.rules.map((r) => ({ id: r.id, weight: r.weight, all: r.all.map(compileCondition), none: r.none.map(compileCondition) })),
    vetoes: t.vetoes.map((v) => ({ id: v.id, when: v.when.map(compileCondition), unless: v.unless.map(compileCondition) })),
  }));
  const names = [...matcher.conceptIds, ...topics.map((t) => `@${t.id}`), ...matcher.conceptIds.map((c) => `^${c}`)];
  const vetoFactor = pack.vetoFactor;

  // Scratch state reused for every item; classify() is synchronous, so items never share it.
  const tokens = new TokenBuffer();
  const hits = matcher.newHits();
  const present = new Uint8Array(titleOffset + conceptCount);
  const firedRules: CompiledRule[] = [];
  const firedVetoes: CompiledVeto[] = [];

  const satisfied = (cond: Condition): number => {
    for (const c of cond) if (present[c] === 1) return c;
    return -1;
  };

  function classify(input: ClassifierInput): Classification {
    const title = htmlToText(input.title);
    const summary = htmlToText(input.summary);
    const text = summary ? `${title}\n${summary}` : title;
    tokenizeInto(text, tokens);
    let titleTokens = 0;
    while (titleTokens < tokens.count && tokens.starts[titleTokens]! < title.length) titleTokens++;
    // An item nobody labelled is matched in the language it reads as, else in all of them.
    matcher.match(tokens, matcher.languageMask(input.lang ?? detectLanguage(text)), hits, titleTokens);
    for (let c = 0; c < conceptCount; c++) {
      present[c] = hits.has(c) ? 1 : 0;
      present[titleOffset + c] = hits.inTitle[c]!;
    }
    present.fill(0, conceptCount, titleOffset);

    const labels: TopicId[] = [];
    const scores: Record<TopicId, number> = {};
    const evidence: Record<TopicId, string[]> = {};
    topics.forEach((topic, t) => {
      firedRules.length = 0;
      firedVetoes.length = 0;
      let miss = 1;
      for (const rule of topic.rules) {
        if (rule.all.every((cond) => satisfied(cond) !== -1) && rule.none.every((cond) => satisfied(cond) === -1)) {
          firedRules.push(rule);
          miss *= 1 - rule.weight;
        }
      }
      if (firedRules.length === 0) return;
      for (const veto of topic.vetoes) {
        if (veto.when.every((cond) => satisfied(cond) !== -1) && veto.unless.every((cond) => satisfied(cond) === -1)) {
          firedVetoes.push(veto);
        }
      }
      let score = 1 - miss;
      if (firedVetoes.length > 0) score *= vetoFactor;
      score = Math.round(score * 1000) / 1000;
      scores[topic.id] = score;
      if (score >= topic.threshold) {
        labels.push(topic.id);
        present[conceptCount + t] = 1;
      }
      evidence[topic.id] = explain(text);
    });
    labels.sort();
    return { labels, scores, evidence };
  }

  /** Readable evidence for the rules and vetoes just evaluated: what fired, on which words. */
  function explain(text: string): string[] {
    const lines: string[] = [];
    const quoted = new Set<number>();
    for (const rule of firedRules) lines.push(`rule:${rule.id}`);
    for (const rule of firedRules) {
      for (const cond of rule.all) {
        const c = satisfied(cond);
        if (quoted.has(c)) continue;
        quoted.add(c);
        lines.push(
          c < conceptCount
            ? `concept:${names[c]} ← ${quote(text, c)}`
            : c >= titleOffset
              ? `title:${names[c]!.slice(1)} ← ${quote(text, c - titleOffset)}`
              : `topic:${names[c]!.slice(1)}`,
        );
      }
    }
    for (const veto of firedVetoes) {
      const c = satisfied(veto.when[0]!);
      const concept = c >= titleOffset ? c - titleOffset : c;
      lines.push(concept < conceptCount ? `veto:${veto.id} ← ${quote(text, concept)}` : `veto:${veto.id}`);
    }
    return lines;
  }

  function quote(text: string, concept: number): string {
    const from = tokens.starts[hits.firstToken[concept]!]!;
    const to = tokens.ends[hits.lastToken[concept]!]!;
    const words = text.slice(from, Math.min(to, from + MAX_QUOTE)).replace(/\s+/g, ' ');
    const via = hits.impliedBy[concept]!;
    return via === -1 ? `'${words}'` : `'${words}' (via ${names[via]})`;
  }

  return { topics: topics.map((t) => t.id), languages: matcher.languages, classify };
}
