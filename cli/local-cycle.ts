import type { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { Config } from '#shared/config/schema.ts';
import type { AlertEmail } from '#shared/model.ts';
import type { TopicPack } from '#shared/classify/topic-pack.ts';
import { createClassifier } from '#shared/classify/classifier.ts';
import { deliverLocalAlerts } from '#shared/alerts/local-alerts.ts';
import { topicNamesFrom } from '#shared/alerts/topic-names.ts';
import { withLocalWebhooks } from '#shared/alerts/local-webhooks.ts';
import { localSecretReader } from '#shared/alerts/webhook-secrets.ts';
import { join } from 'node:path';
import { OutboxPublisher } from '#shared/local/outbox-publisher.ts';
import { createLocalStreamsClient } from '#shared/local/stream-reader.ts';
import { runPollCycle, type CycleReport } from '#shared/pipeline/poll-cycle.ts';
import { createPollDeps } from '#shared/pipeline/poll-deps.ts';
import { dispatchFeeds } from '#shared/fanout/dispatch.ts';
import { mergeBatchReports } from '#shared/fanout/merge-reports.ts';
import { LocalFeedBatchQueue } from './fanout/local-queue.ts';
import { runWorkerPool, type WorkerPoolOptions, type WorkerPoolResult } from './fanout/worker-pool.ts';
import type { LocalStore } from './local-store.ts';
import { formatCycle } from './print-cycle.ts';

type Out = { write(chunk: string): unknown };

export interface LocalCycleResult {
  report: CycleReport;
  emails: AlertEmail[];
  /** Topics whose email could not be written; their items alert on the next run. */
  failedTopics: string[];
}

/**
 * One cycle on the embedded store, exactly as on AWS: the poll cycle writes matches; the
 * inserts are then read back from DynamoDB Local's stream and handed to the same notifier the
 * Lambda uses, with the outbox in place of SNS.
 */
export class LocalCycleRunner {
  private readonly streams: DynamoDBStreamsClient;
  private readonly classifier;

  constructor(
    private readonly local: LocalStore,
    private readonly config: Config,
    private readonly pack: TopicPack,
    private readonly out: Out,
  ) {
    this.streams = createLocalStreamsClient(local.endpoint);
    this.classifier = createClassifier(pack);
  }

  async run(now: () => Date = () => new Date()): Promise<LocalCycleResult> {
    return this.deliver(await runPollCycle(this.config, { ...createPollDeps(this.local.store, this.classifier), now }), now);
  }

  /**
   * The cycle fanned out as the stack does above `scale.fanOutAboveFeeds`: the dispatcher queues
   * host-grouped batches, `workers` processes poll them against the same table, and the alerts go
   * out once, from the stream, as the notify function sends them on AWS.
   */
  async runFanOut(workers: number, options: Pick<WorkerPoolOptions, 'onBatchStarted'> = {}): Promise<LocalCycleResult & { pool: WorkerPoolResult }> {
    const queue = new LocalFeedBatchQueue();
    const dispatch = await dispatchFeeds(this.config, { queue });
    const pool = await runWorkerPool({
      workers,
      config: this.config,
      endpoint: this.local.endpoint,
      tableName: this.local.tableName,
      queue,
      ...options,
    });
    for (const failure of pool.failures) this.out.write(`  ! ${failure}\n`);
    for (const body of pool.deadLetters) this.out.write(`  ✗ batch given up after its last try: ${body.slice(0, 120)}\n`);
    const report = mergeBatchReports(this.config, dispatch.dispatchedAt, pool.reports);
    return { ...(await this.deliver(report, () => new Date())), pool };
  }

  private async deliver(report: CycleReport, now: () => Date): Promise<LocalCycleResult> {
    this.out.write(`${formatCycle(report, now())}\n\n`);
    const { emails, failedTopics } = await this.sendAlerts();
    return { report, emails, failedTopics };
  }

  private async sendAlerts(): Promise<{ emails: AlertEmail[]; failedTopics: string[] }> {
    const emails: AlertEmail[] = [];
    // https/slack subscriptions get the same alerts when a local URL is given for them
    // (FUNDWATCH_WEBHOOK_URL_<NAME> or <data-dir>/secrets.json).
    const outbox = withLocalWebhooks(new OutboxPublisher({ dataDir: this.local.dataDir, out: this.out }), {
      config: this.config,
      secrets: localSecretReader({ secretsFile: join(this.local.dataDir, 'secrets.json') }),
      out: this.out,
    });
    const result = await deliverLocalAlerts({
      doc: this.local.doc,
      tableName: this.local.tableName,
      endpoint: this.local.endpoint,
      dataDir: this.local.dataDir,
      streams: this.streams,
      publisher: {
        publish: async (email) => {
          await outbox.publish(email);
          emails.push(email);
        },
      },
      render: {
        maxItems: this.config.alerts.maxItemsPerEmail,
        ...topicNamesFrom(this.pack),
        queryUrl: this.config.alerts.queryUrl,
      },
    });
    if (emails.length === 0) this.out.write('  No alert emails: nothing new to report.\n');
    for (const failed of result.report.failed) {
      this.out.write(`  ✗ alert for ${failed.topic} not written: ${failed.error.message} (retried next run)\n`);
    }
    return { emails, failedTopics: result.report.failed.map((f) => f.topic) };
  }

  close(): void {
    this.streams.destroy();
  }
}

