import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createClassifier } from '#shared/classify/classifier.ts';
import { TopicPackError, defaultTopicPack, loadTopicPack, parseTopicPack } from '#shared/classify/topic-pack.ts';

const minimalPack = () => ({
  version: 1,
  id: 'test-pack',
  concepts: {
    drone: { terms: { en: ['drone*'], de: ['*drohne', 'drohne*'] } },
    factory: { terms: { en: ['factory', 'plant'] } },
  },
  topics: [{ id: 'drone-industry', title: 'Drone factories', rules: [{ id: 'drone-factory', weight: 0.9, all: ['drone', 'factory'] }] }],
});

function problemsOf(value: unknown): string[] {
  try {
    parseTopicPack(value, 'pack.json');
  } catch (err) {
    expect(err).toBeInstanceOf(TopicPackError);
    return (err as TopicPackError).problems;
  }
  throw new Error('expected the pack to be rejected');
}

describe('topic pack', () => {
  it('the built-in pack has the five labels of the guide', async () => {
    const pack = await loadTopicPack('default');
    expect(pack.id).toBe('nato-ukraine-fund');
    expect(pack.version).toBe(1);
    expect(pack.topics.map((t) => t.id).sort()).toEqual(['defense-industry', 'nato-meetings', 'nato-mission', 'ukraine-fund', 'us-aid']);
    expect(pack).toBe(defaultTopicPack());
  });

  it('lets an operator add a topic and terms as data, with no code change', () => {
    const classifier = createClassifier(parseTopicPack(minimalPack()));
    expect(classifier.topics).toEqual(['drone-industry']);
    expect(classifier.classify({ title: 'New drone factory opens', summary: '' }).labels).toEqual(['drone-industry']);
    expect(classifier.classify({ title: 'Kampfdrohne aus neuem Werk', summary: 'plant' }).labels).toEqual(['drone-industry']);
    expect(classifier.classify({ title: 'New car factory opens', summary: '' }).labels).toEqual([]);
  });

  it('names the JSON path and the expectation for a bad weight', () => {
    const pack = minimalPack();
    pack.topics[0]!.rules[0]!.weight = 3;
    expect(problemsOf(pack)).toEqual(['$.topics[0].rules[0].weight: expected a weight of at most 1']);
  });

  it('names an unknown concept in a rule', () => {
    const pack = minimalPack();
    pack.topics[0]!.rules[0]!.all = ['drone|drones'];
    expect(problemsOf(pack)).toEqual(['$.topics[0].rules[0].all[0]: unknown concept "drones"']);
  });

  it('rejects a topic reference to a later topic, unknown keys, a wrong version and unmatchable terms', () => {
    const pack = minimalPack() as Record<string, unknown> & ReturnType<typeof minimalPack>;
    pack.topics[0]!.rules[0]!.all = ['drone', '@drone-industry'];
    expect(problemsOf(pack)).toEqual(['$.topics[0].rules[0].all[1]: "@drone-industry" must name a topic listed before "drone-industry"']);
    expect(problemsOf({ ...minimalPack(), colour: 'blue' })).toEqual(['$: unknown key "colour"']);
    expect(problemsOf({ ...minimalPack(), version: 2 })).toEqual(['$.version: expected version 1']);
    const badTerm = minimalPack();
    badTerm.concepts.drone.terms.en = ['dr*'];
    expect(problemsOf(badTerm)).toEqual(['$.concepts.drone.terms.en[0]: "dr*": stems and tails need at least 3 letters']);
  });

  it('reports a pack file that is missing or not JSON, naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fundwatch-pack-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '{ "version": 1,');
    await expect(loadTopicPack(broken)).rejects.toThrow(`${broken} is not a valid topic pack`);
    await expect(loadTopicPack(broken)).rejects.toThrow(/not valid JSON/);
    await expect(loadTopicPack(join(dir, 'absent.json'))).rejects.toThrow(/cannot read the file: ENOENT/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(minimalPack()));
    expect((await loadTopicPack(good)).id).toBe('test-pack');
  });
});
