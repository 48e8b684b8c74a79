import { z } from 'zod';
import builtInPack from '../topics/default-pack.json' with { type: 'json' };
import { parseTerm } from './concept-matcher.ts';
import { describeIssue, jsonPath, readJsonDocument } from '#shared/config/json-document.ts';

/**
 * A topic pack is the classifier's knowledge as data: concepts (terms per language) and, per
 * topic, the rules that combine concepts and the vetoes that overrule them. Operators add a
 * topic or a term by editing JSON; nothing here knows about any particular topic.
 */

const id = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'expected a lower-case id such as "ukraine-fund"');
/**
 * "nato|allies" means either concept; "@ukraine-fund" means that topic was labelled; "^israel"
 * means the concept is named in the title (what the item is about).
 */
const condition = z.string().regex(/^[@^]?[a-z0-9][a-z0-9-]*(\|[@^]?[a-z0-9][a-z0-9-]*)*$/, 'expected concept ids joined by "|", e.g. "nato|allies"');
const language = z.string().regex(/^([a-z]{2}|any)$/, 'expected a two-letter language code or "any"');

const conceptSchema = z.strictObject({
  note: z.string().optional(),
  implies: z.array(id).default([]),
  terms: z.record(language, z.array(z.string().trim().min(1, 'expected a non-empty term')).min(1, 'expected at least one term')),
  /** Phrases in which the concept's terms do not count ("to fund" is no fund). */
  except: z.record(language, z.array(z.string().trim().min(1, 'expected a non-empty term')).min(1, 'expected at least one term')).optional(),
  /** Phrases after which the concept's next mention is a passing one ("ahead of" the summit). */
  asides: z.record(language, z.array(z.string().trim().min(1, 'expected a non-empty term')).min(1, 'expected at least one term')).optional(),
});

const ruleSchema = z.strictObject({
  id,
  note: z.string().optional(),
  weight: z.number().gt(0, 'expected a weight above 0').max(1, 'expected a weight of at most 1'),
  all: z.array(condition).min(1, 'expected at least one condition'),
  none: z.array(condition).default([]),
  /**
   * Where the `all` conditions must meet: "sentence" (the default) in the headline or in one
   * lede sentence, "item" anywhere in the item (for rules meant to combine across sentences).
   */
  scope: z.enum(['sentence', 'item'], { error: 'expected "sentence" or "item"' }).default('sentence'),
});

const vetoSchema = z.strictObject({
  id,
  note: z.string().optional(),
  when: z.array(condition).min(1, 'expected at least one condition'),
  unless: z.array(condition).default([]),
});

const topicSchema = z.strictObject({
  id,
  title: z.string().min(1),
  /** A few words for email subjects, where the title would crowd out the headline. */
  shortTitle: z.string().min(1).max(30, 'expected at most 30 characters').optional(),
  description: z.string().optional(),
  threshold: z.number().gt(0).max(1).default(0.5),
  rules: z.array(ruleSchema).min(1, 'expected at least one rule'),
  vetoes: z.array(vetoSchema).default([]),
});

const packSchema = z.strictObject({
  version: z.literal(1, 'expected version 1'),
  id,
  description: z.string().optional(),
  /** Multiplies a vetoed topic's score, so a veto shows as a near miss rather than vanishing. */
  vetoFactor: z.number().min(0).max(1).default(0.25),
  /** How many summary sentences after the headline count as the lede, where rules may fire. */
  ledeSentences: z.number().int().min(1).max(30, 'expected at most 30 sentences').default(5),
  concepts: z.record(id, conceptSchema),
  topics: z.array(topicSchema).min(1, 'expected at least one topic'),
});

export type TopicPack = z.infer<typeof packSchema>;
export type TopicDefinition = TopicPack['topics'][number];
export type RuleDefinition = TopicDefinition['rules'][number];
export type VetoDefinition = TopicDefinition['vetoes'][number];

export class TopicPackError extends Error {
  override readonly name = 'TopicPackError';
  constructor(
    readonly source: string,
    readonly problems: string[],
  ) {
    super(`${source} is not a valid topic pack:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

type PathKey = PropertyKey;

/** Checks what a schema cannot: references between concepts and topics, and that every term can match. */
function crossCheck(pack: TopicPack): string[] {
  const problems: string[] = [];
  const concepts = new Set(Object.keys(pack.concepts));
  for (const [conceptId, concept] of Object.entries(pack.concepts)) {
    concept.implies.forEach((implied, i) => {
      if (!concepts.has(implied)) problems.push(`${jsonPath(['concepts', conceptId, 'implies', i])}: unknown concept "${implied}"`);
    });
    for (const field of ['terms', 'except', 'asides'] as const) {
      for (const [lang, terms] of Object.entries(concept[field] ?? {})) {
        terms.forEach((term, i) => {
          const parsed = parseTerm(term);
          if (typeof parsed === 'string') problems.push(`${jsonPath(['concepts', conceptId, field, lang, i])}: ${parsed}`);
        });
      }
    }
  }
  const earlierTopics = new Set<string>();
  pack.topics.forEach((topic, t) => {
    if (earlierTopics.has(topic.id)) problems.push(`${jsonPath(['topics', t, 'id'])}: duplicate topic "${topic.id}"`);
    const checkConditions = (conditions: string[], path: PathKey[]) => {
      conditions.forEach((cond, c) => {
        for (const alternative of cond.split('|')) {
          const where = jsonPath([...path, c]);
          if (alternative.startsWith('@')) {
            const ref = alternative.slice(1);
            if (!earlierTopics.has(ref)) problems.push(`${where}: "${alternative}" must name a topic listed before "${topic.id}"`);
          } else if (!concepts.has(alternative.startsWith('^') ? alternative.slice(1) : alternative)) {
            problems.push(`${where}: unknown concept "${alternative}"`);
          }
        }
      });
    };
    topic.rules.forEach((rule, r) => {
      checkConditions(rule.all, ['topics', t, 'rules', r, 'all']);
      checkConditions(rule.none, ['topics', t, 'rules', r, 'none']);
    });
    topic.vetoes.forEach((veto, v) => {
      checkConditions(veto.when, ['topics', t, 'vetoes', v, 'when']);
      checkConditions(veto.unless, ['topics', t, 'vetoes', v, 'unless']);
    });
    earlierTopics.add(topic.id);
  });
  return problems;
}

/** Validates an already-parsed pack; `source` names it in errors. */
export function parseTopicPack(value: unknown, source = 'topic pack'): TopicPack {
  const result = packSchema.safeParse(value);
  if (!result.success) throw new TopicPackError(source, result.error.issues.map(describeIssue));
  const problems = crossCheck(result.data);
  if (problems.length > 0) throw new TopicPackError(source, problems);
  return result.data;
}

let defaultPack: TopicPack | undefined;

export function defaultTopicPack(): TopicPack {
  defaultPack ??= parseTopicPack(builtInPack, 'built-in topic pack');
  return defaultPack;
}

/** `"default"` is the pack bundled with the code; anything else is a path to a JSON pack. */
export async function loadTopicPack(pathOrDefault: string): Promise<TopicPack> {
  if (pathOrDefault === 'default') return defaultTopicPack();
  const read = await readJsonDocument(pathOrDefault);
  if ('problem' in read) throw new TopicPackError(pathOrDefault, [read.problem]);
  return parseTopicPack(read.value, pathOrDefault);
}

