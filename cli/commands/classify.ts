import { createInterface } from 'node:readline';
import { Command } from 'commander';
import type { Classifier } from '#shared/model.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { ItemLineError, parseItemLine } from '#shared/classify/item-line.ts';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';

/**
 * `fundwatch classify [--pack FILE]`: JSON Lines items on stdin, one classification line per
 * item on stdout, same order. A bad line is reported on stderr with its number and skipped;
 * the exit code is 1 if any line was bad.
 */

export interface ClassifyStreams {
  lines: AsyncIterable<string>;
  write: (text: string) => void;
  warn: (text: string) => void;
}

/** Returns how many lines could not be classified. */
export async function classifyLines(classifier: Classifier, { lines, write, warn }: ClassifyStreams): Promise<number> {
  let lineNumber = 0;
  let bad = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    try {
      const item = parseItemLine(line);
      const result = classifier.classify({ title: item.title, summary: item.summary, lang: item.lang });
      write(`${JSON.stringify({ id: item.id, labels: result.labels, scores: result.scores, evidence: result.evidence })}\n`);
    } catch (err) {
      if (!(err instanceof ItemLineError)) throw err;
      bad++;
      warn(`fundwatch classify: line ${lineNumber}: ${err.message}\n`);
    }
  }
  return bad;
}

export function classifyCommand(): Command {
  return new Command('classify')
    .description('Classify JSON Lines items (id, title, summary, lang) from stdin; one result line per item on stdout.')
    .option('--pack <file>', 'topic pack JSON file ("default" for the built-in pack)', 'default')
    .action(async (options: { pack: string }) => {
      const classifier = createClassifier(await loadTopicPack(options.pack));
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      const bad = await classifyLines(classifier, {
        lines,
        write: (text) => process.stdout.write(text),
        warn: (text) => process.stderr.write(text),
      });
      if (bad > 0) {
        process.stderr.write(`fundwatch classify: ${bad} line${bad === 1 ? '' : 's'} skipped\n`);
        process.exitCode = 1;
      }
    });
}
