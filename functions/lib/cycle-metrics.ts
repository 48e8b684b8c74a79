import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import type { CycleSummary } from '#shared/pipeline/cycle-summary.ts';
import { METRICS } from '#infra/outputs.ts';

/** The figures every polling function publishes, the single poller per cycle and each fan-out worker per batch. */
export function addCycleMetrics(metrics: Metrics, summary: CycleSummary): void {
  metrics.addMetric('FeedsFetched', MetricUnit.Count, summary.fetched);
  metrics.addMetric('FeedsNotModified', MetricUnit.Count, summary.notModified);
  metrics.addMetric('FeedsFailed', MetricUnit.Count, summary.failed);
  metrics.addMetric('FeedsDeferred', MetricUnit.Count, summary.deferred);
  metrics.addMetric(METRICS.feedsFailing, MetricUnit.Count, summary.failing);
  metrics.addMetric('MatchesStored', MetricUnit.Count, summary.stored);
  metrics.addMetric('BytesDownloaded', MetricUnit.Bytes, summary.bytes);
  metrics.addMetric('ItemsLanguageNotCovered', MetricUnit.Count, summary.languageNotCovered);
}
