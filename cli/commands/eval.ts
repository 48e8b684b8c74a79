import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import type { Classifier } from '#shared/model.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { ItemLineError, parseLabeledItemLine } from '#shared/classify/item-line.ts';
import { evaluate, evaluateByLanguage, type EvaluationReport, type LanguageScores, type Scores } from '#shared/classify/metrics.ts';
import { loadTopicPack } from '#shared/classify/topic-pack.ts';
import { UsageError } from '../errors.ts';
import { DEFAULT_DATA_DIR } from '../local-store.ts';

/**
 * `fundwatch eval --data FILE.jsonl [--json] [--pack FILE]` (or `--feedback`, cli/eval-feedback.ts): classifies labelled items and
 * reports per-label precision/recall/F1, micro and macro averages, relevance (any label versus
 * none), the micro and relevance figures per language, and every misclassified item with the
 * evidence behind its labels.
 */

export interface MisclassifiedItem {
  id: string;
  title: string;
  gold: string[];
  predicted: string[];
  missing: string[];
  extra: string[];
  scores: Record<string, number>;
  evidence: Record<string, string[]>;
}

export interface EvalResult extends Omit<EvaluationReport, 'misclassified'> {
  /** Items, micro and relevance scores per language code, largest language first. */
  byLanguage: Record<string, LanguageScores>;
  misclassified: MisclassifiedItem[];
  /** Lines that could not be read, as "line N: reason". */
  skipped: string[];
}

export function evaluateText(classifier: Classifier, text: string): EvalResult {
  const skipped: string[] = [];
  const rows: { id: string; title: string; lang: string | undefined; gold: string[]; predicted: string[]; scores: Record<string, number>; evidence: Record<string, string[]> }[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const item = parseLabeledItemLine(line);
      const result = classifier.classify({ title: item.title, summary: item.summary, lang: item.lang });
      rows.push({ id: item.id, title: item.title, lang: item.lang, gold: [...item.labels].sort(), predicted: result.labels, scores: result.scores, evidence: result.evidence });
    } catch (err) {
      if (!(err instanceof ItemLineError)) throw err;
      skipped.push(`line ${i + 1}: ${err.message}`);
    }
  });
  const report = evaluate(rows, classifier.topics);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const misclassified = report.misclassified.map((m) => {
    const row = byId.get(m.id)!;
    return { id: m.id, title: row.title, gold: row.gold, predicted: row.predicted, missing: m.missing, extra: m.extra, scores: row.scores, evidence: row.evidence };
  });
  return { ...report, byLanguage: evaluateByLanguage(rows, classifier.topics), misclassified, skipped };
}

const pct = (x: number) => x.toFixed(3);

function scoreRow(name: string, s: Pick<Scores, 'precision' | 'recall' | 'f1'> & Partial<Scores>): string {
  const counts = s.tp === undefined ? '' : `  ${String(s.support).padStart(7)}  ${String(s.tp).padStart(4)} ${String(s.fp).padStart(4)} ${String(s.fn).padStart(4)}`;
  return `${name.padEnd(18)} ${pct(s.precision).padStart(9)} ${pct(s.recall).padStart(7)} ${pct(s.f1).padStart(6)}${counts}`;
}

function languageRow(lang: string, s: LanguageScores): string {
  const cell = (x: number) => pct(x).padStart(8);
  return `${lang.padEnd(6)} ${String(s.items).padStart(5)}  ${cell(s.micro.precision)} ${cell(s.micro.recall)} ${cell(s.micro.f1)}  ${cell(s.relevance.precision)} ${cell(s.relevance.recall)}`;
}

function languageTable(byLanguage: EvalResult['byLanguage']): string[] {
  const header = `${'lang'.padEnd(6)} ${'items'.padStart(5)}  ${'micro P'.padStart(8)} ${'micro R'.padStart(8)} ${'micro F1'.padStart(8)}  ${'rel P'.padStart(8)} ${'rel R'.padStart(8)}`;
  return [header, ...Object.entries(byLanguage).map(([lang, s]) => languageRow(lang, s))];
}

export function formatEvalResult(result: EvalResult): string {
  const lines = [`${result.items} items`, '', `${'label'.padEnd(18)} ${'precision'.padStart(9)} ${'recall'.padStart(7)} ${'f1'.padStart(6)}  support   tp   fp   fn`];
  for (const [label, s] of Object.entries(result.perLabel)) lines.push(scoreRow(label, s));
  lines.push('', scoreRow('micro', result.micro), scoreRow('macro', result.macro), scoreRow('relevance', result.relevance));
  lines.push('', 'per language', ...languageTable(result.byLanguage));
  lines.push('', `misclassified: ${result.misclassified.length}`);
  for (const m of result.misclassified) {
    lines.push('', `${m.id}  ${m.title}`, `  gold: [${m.gold.join(', ')}]  predicted: [${m.predicted.join(', ')}]`);
    for (const label of [...m.missing, ...m.extra]) {
      const why = m.evidence[label];
      const tag = m.missing.includes(label) ? 'missing' : 'extra';
      lines.push(`  ${tag} ${label} (score ${m.scores[label] ?? 0}): ${why && why.length > 0 ? why.join('; ') : 'no rule fired'}`);
    }
  }
  for (const s of result.skipped) lines.push(`skipped ${s}`);
  return `${lines.join('\n')}\n`;
}

export function evalCommand(): Command {
  return new Command('eval')
    .description('Measure the classifier on labelled JSON Lines items (precision, recall, F1, misclassified items).')
    .option('--data <file>', 'labelled items, JSON Lines with a "labels" array')
    .option('--feedback', 'score the pack on every match an analyst labelled (fundwatch feedback); exit 1 on regressions')
    .option('--config <file>', 'with --feedback: config file whose topic pack is scored')
    .option('--data-dir <dir>', 'with --feedback: local data directory', DEFAULT_DATA_DIR)
    .option('--aws', 'with --feedback: read the labels from the deployed stack\'s table')
    .option('--json', 'print one JSON object instead of tables')
    .option('--pack <file>', 'topic pack JSON file ("default" for the built-in pack)', 'default')
    .action(async (options: { data?: string; feedback?: boolean; config?: string; dataDir: string; aws?: boolean; json?: boolean; pack: string }) => {
      if (options.feedback) {
        if (options.data) throw new UsageError('give --data FILE or --feedback, not both');
        // Loaded on use: `eval --data` needs no database client.
        const { evalFeedback } = await import('../eval-feedback.ts');
        await evalFeedback(options);
        return;
      }
      if (!options.data) throw new UsageError('give --data FILE (labelled JSON Lines) or --feedback (the labelled matches)');
      let text: string;
      try {
        text = await readFile(options.data, 'utf8');
      } catch (err) {
        throw new UsageError(`cannot read ${options.data}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
      }
      const result = evaluateText(createClassifier(await loadTopicPack(options.pack)), text);
      process.stdout.write(options.json ? `${JSON.stringify(result)}\n` : formatEvalResult(result));
      for (const s of result.skipped) process.stderr.write(`fundwatch eval: ${s}\n`);
      if (result.skipped.length > 0) process.exitCode = 1;
    });
}
