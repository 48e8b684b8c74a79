import type { Classification, Classifier, ClassifierInput, TopicId } from '#shared/model.ts';
import { htmlToText } from '#shared/text/html-text.ts';
import { ConceptMatcher, type ConceptHits } from './concept-matcher.ts';
import { detectLanguage } from './language-coverage.ts';
import { TokenBuffer, tokenizeInto } from './tokenize.ts';
import type { TopicPack } from './topic-pack.ts';

/**
 * Decides topics by substance: a topic is labelled when one of its rules finds all of its
 * concepts together where the item is about them — in the headline or in one sentence of the
 * lede (salience), say the alliance, Ukraine and a fund — and none of its vetoes applies (say
 * the NATO Innovation Fund). `none` conditions and vetoes look at the whole item. Several rules
 * that fire strengthen each other (noisy-OR of their weights). Everything is compiled when the
 * classifier is created.
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
  /** The rule's `all` may meet anywhere in the item, not only within one unit. */
  itemScope: boolean;
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
const MAX_SENTENCE_QUOTE = 160;
const MULTI_SPACE = /\s\s|[^\S ]/;
const HEADLINE = 1;
/** A fired rule decided on the whole item rather than one unit. */
const WHOLE_ITEM = -1;

/** Evidence name of a unit: the headline, or the summary's sentence by its number. */
export function unitName(unit: number): string {
  return unit === 0 ? 'sentence:title' : `sentence:${unit}`;
}

export function createClassifier(pack: TopicPack): Classifier {
  const matcher = new ConceptMatcher(
    Object.entries(pack.concepts).map(([id, c]) => ({ id, terms: c.terms, except: c.except, asides: c.asides, implies: c.implies })),
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
    rules: t.rules.map((r) => ({
      id: r.id,
      weight: r.weight,
      all: r.all.map(compileCondition),
      none: r.none.map(compileCondition),
      itemScope: r.scope === 'item',
    })),
    vetoes: t.vetoes.map((v) => ({ id: v.id, when: v.when.map(compileCondition), unless: v.unless.map(compileCondition) })),
  }));
  const names = [...matcher.conceptIds, ...topics.map((t) => `@${t.id}`), ...matcher.conceptIds.map((c) => `^${c}`)];
  const vetoFactor = pack.vetoFactor;
  // Bits 0 (headline) to ledeSentences; a pack compiled before salience has no ledeSentences.
  const ledeMask = ~(-1 << ((pack.ledeSentences ?? 5) + 1));

  // Scratch state reused for every item; classify() is synchronous, so items never share it.
  const tokens = new TokenBuffer();
  const hits = matcher.newHits();
  const present = new Uint8Array(titleOffset + conceptCount);
  /** Per condition index, the units (bits) where it holds: a topic or title flag holds in all. */
  const presentIn = new Int32Array(titleOffset + conceptCount);
  const firedRules: CompiledRule[] = [];
  const firedUnits: number[] = [];
  const firedVetoes: CompiledVeto[] = [];

  const satisfied = (cond: Condition): number => {
    for (const c of cond) if (present[c] === 1) return c;
    return -1;
  };
  /** Units where the condition holds; the headline frames every sentence, so holding there means holding in all. */
  const unitsOf = (cond: Condition): number => {
    let units = 0;
    for (const c of cond) units |= presentIn[c]!;
    return (units & HEADLINE) !== 0 ? -1 : units;
  };
  /** The unit a rule fires in (the earliest, so the headline first), WHOLE_ITEM, or -2 when it does not fire. */
  const firingUnit = (rule: CompiledRule): number => {
    for (const cond of rule.none) if (satisfied(cond) !== -1) return -2;
    if (rule.itemScope) return rule.all.every((cond) => satisfied(cond) !== -1) ? WHOLE_ITEM : -2;
    let units = -1;
    for (const cond of rule.all) {
      units &= unitsOf(cond);
      if (units === 0) return -2;
    }
    return 31 - Math.clz32(units & -units);
  };
  /** The alternative of a condition that holds in `unit` (or in the headline), as for `satisfied`. */
  const satisfiedIn = (cond: Condition, unit: number): number => {
    if (unit === WHOLE_ITEM) return satisfied(cond);
    for (const c of cond) if ((presentIn[c]! & (1 << unit)) !== 0) return c;
    for (const c of cond) if ((presentIn[c]! & HEADLINE) !== 0) return c;
    return -1;
  };

  /**
   * An item nobody labelled is matched in the language it reads as, else in all of them. Aggregators
   * and wire feeds put a headline in one language over a summary in another, and the whole text reads
   * as the longer part, so the headline's own language is added.
   */
  function languagesOf(lang: string | undefined, title: string, summary: string, text: string): number {
    if (lang !== undefined) return matcher.languageMask(lang);
    const whole = matcher.languageMask(detectLanguage(text));
    // A headline too short to tell adds nothing: an unknown language would widen the mask to all.
    const headline = summary ? detectLanguage(title) : undefined;
    return headline === undefined ? whole : whole | matcher.languageMask(headline);
  }

  function classify(input: ClassifierInput): Classification {
    const title = htmlToText(input.title);
    const summary = htmlToText(input.summary);
    const text = summary ? `${title}\n${summary}` : title;
    tokenizeInto(text, tokens, title.length);
    let titleTokens = 0;
    while (titleTokens < tokens.count && tokens.starts[titleTokens]! < title.length) titleTokens++;
    matcher.match(tokens, languagesOf(input.lang, title, summary, text), hits, titleTokens);
    for (let c = 0; c < conceptCount; c++) {
      present[c] = hits.has(c) ? 1 : 0;
      presentIn[c] = hits.units[c]! & ledeMask;
      present[titleOffset + c] = hits.inTitle[c]!;
      presentIn[titleOffset + c] = hits.inTitle[c] === 1 ? -1 : 0;
    }
    present.fill(0, conceptCount, titleOffset);
    presentIn.fill(0, conceptCount, titleOffset);

    const labels: TopicId[] = [];
    const scores: Record<TopicId, number> = {};
    const evidence: Record<TopicId, string[]> = {};
    topics.forEach((topic, t) => {
      firedRules.length = 0;
      firedUnits.length = 0;
      firedVetoes.length = 0;
      let miss = 1;
      for (const rule of topic.rules) {
        const unit = firingUnit(rule);
        if (unit === -2) continue;
        firedRules.push(rule);
        firedUnits.push(unit);
        miss *= 1 - rule.weight;
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
        presentIn[conceptCount + t] = -1;
      }
      evidence[topic.id] = explain(text);
    });
    labels.sort();
    return { labels, scores, evidence };
  }

  /**
   * Readable evidence for the rules and vetoes just evaluated: what fired, in which sentence
   * (`sentence:title` or `sentence:<n>` with its text), on which words.
   */
  function explain(text: string): string[] {
    const lines: string[] = [];
    const quoted = new Set<number>();
    for (const rule of firedRules) lines.push(`rule:${rule.id}`);
    const units = new Set(firedUnits.filter((u) => u !== WHOLE_ITEM));
    for (const unit of units) lines.push(`${unitName(unit)} ← ${quoteUnit(text, unit)}`);
    firedRules.forEach((rule, r) => {
      const unit = firedUnits[r]!;
      for (const cond of rule.all) {
        const c = satisfiedIn(cond, unit);
        if (quoted.has(c)) continue;
        quoted.add(c);
        lines.push(
          c < conceptCount
            ? `concept:${names[c]} ← ${quote(text, c, unit)}`
            : c >= titleOffset
              ? `title:${names[c]!.slice(1)} ← ${quote(text, c - titleOffset, 0)}`
              : `topic:${names[c]!.slice(1)}`,
        );
      }
    });
    for (const veto of firedVetoes) {
      const c = satisfied(veto.when[0]!);
      const concept = c >= titleOffset ? c - titleOffset : c;
      lines.push(concept < conceptCount ? `veto:${veto.id} ← ${quote(text, concept, WHOLE_ITEM)}` : `veto:${veto.id}`);
    }
    return lines;
  }

  /** The concept's words as written: its first mention in `unit` when it has one there, else in the item. */
  function quote(text: string, concept: number, unit: number): string {
    const inUnit = unit !== WHOLE_ITEM && (hits.units[concept]! & (1 << unit)) !== 0;
    const slot = hits.slot(concept, unit);
    const from = tokens.starts[inUnit ? hits.unitFirstToken[slot]! : hits.firstToken[concept]!]!;
    const to = tokens.ends[inUnit ? hits.unitLastToken[slot]! : hits.lastToken[concept]!]!;
    const words = text.slice(from, Math.min(to, from + MAX_QUOTE)).replace(/\s+/g, ' ');
    const via = inUnit ? hits.unitImpliedBy[slot]! : hits.impliedBy[concept]!;
    return via === -1 ? `'${words}'` : `'${words}' (via ${names[via]})`;
  }

  /** The unit's text from its first to its last word, cut at a word when long. */
  function quoteUnit(text: string, unit: number): string {
    let first = 0;
    while (first < tokens.count && tokens.units[first] !== unit) first++;
    let last = first;
    while (last + 1 < tokens.count && tokens.units[last + 1] === unit) last++;
    const raw = text.slice(tokens.starts[first]!, tokens.ends[last]!);
    const sentence = MULTI_SPACE.test(raw) ? raw.replace(/\s+/g, ' ') : raw;
    if (sentence.length <= MAX_SENTENCE_QUOTE) return `'${sentence}'`;
    const cut = sentence.slice(0, MAX_SENTENCE_QUOTE);
    const space = cut.lastIndexOf(' ');
    return `'${space > MAX_SENTENCE_QUOTE / 2 ? cut.slice(0, space) : cut}…'`;
  }

  return { topics: topics.map((t) => t.id), languages: matcher.languages, classify };
}
