import { DEFAULT_FETCH_CONCURRENCY } from '#shared/config/schema.ts';
import { PRICES } from '../prices.ts';

/**
 * Dollars per month from measured units. Per-feed quantities come from the steady-state cycle
 * (this run's numbers); what cannot be measured on loopback is an explicit assumption below.
 * Linear in feeds: the per-cycle read of recent matches really grows with matches, not feeds,
 * which this approximates.
 */

export const HOURS_PER_MONTH = 730;

export const ASSUMPTIONS = {
  /**
   * A real fetch waits on the network (DNS, TLS, the publisher's server); loopback does not.
   * Added per fetch to the measured time: divided by the fetch concurrency for fundwatch, in
   * full for the naive poller, which fetches one feed after another.
   */
  networkMsPerFetch: 200,
  fundwatchFetchConcurrency: DEFAULT_FETCH_CONCURRENCY,
  /** Poll function memory (infra/constructs/poller.ts). */
  pollMemoryGb: 0.5,
  /** The tutorial Lambda's usual memory. */
  naiveMemoryGb: 0.128,
  /** Log bytes per poll invocation: platform START/END/REPORT lines, the summary line, the EMF metrics blob. */
  logBytesPerInvocation: 3_000,
  /** Email subscribers, each on instant alerts for every topic. */
  subscribers: 1,
  topics: 5,
  /** Query API requests per month (a small team's dashboard). */
  apiRequestsPerMonth: 10_000,
  /**
   * SQS requests Lambda's event source mapping makes while the queue is empty: it long-polls
   * (20 s) with about five pollers at low traffic, so about 15 ReceiveMessage calls a minute.
   */
  idleReceivesPerMinute: 15,
  /** Dispatcher memory (infra/constructs/fan-out-poller.ts). */
  dispatcherMemoryGb: 0.25,
  /** The dispatcher's run: read the config, plan batches, SendMessageBatch; measured locally in ms. */
  dispatcherMs: 300,
} as const;

export interface PerFeedCycle {
  writeUnits: number;
  readUnits: number;
  /** Measured Lambda-side wall time per feed on loopback, ms. */
  wallMs: number;
  /** Matches stored per feed per cycle. */
  matches: number;
  bytes: number;
}

export interface CostInput {
  feeds: number;
  pollEveryMinutes: number;
  perFeed: PerFeedCycle;
  /** Measured cold start, ms, paid on every invocation at a 15-minute schedule. */
  initMs: number;
  memoryGb: number;
  /** 'concurrent' divides the network wait by the fetch concurrency; 'sequential' does not. */
  fetching: 'concurrent' | 'sequential';
  /** Read units per query API request (measured). */
  readUnitsPerApiRequest: number;
}

export interface CostBreakdown {
  feeds: number;
  cyclesPerMonth: number;
  lambdaSecondsPerCycle: number;
  /** False when one cycle would exceed Lambda's 15-minute limit. */
  fitsOneInvocation: boolean;
  dynamoWrites: number;
  dynamoReads: number;
  lambda: number;
  sns: number;
  httpApi: number;
  logs: number;
  total: number;
  gbDownloadedPerMonth: number;
}

export function monthlyCost(input: CostInput): CostBreakdown {
  const cycles = (HOURS_PER_MONTH * 60) / input.pollEveryMinutes;
  const network = input.fetching === 'concurrent' ? ASSUMPTIONS.networkMsPerFetch / ASSUMPTIONS.fundwatchFetchConcurrency : ASSUMPTIONS.networkMsPerFetch;
  const lambdaSecondsPerCycle = (input.initMs + input.feeds * (input.perFeed.wallMs + network)) / 1000;
  const matchesPerCycle = input.feeds * input.perFeed.matches;
  // At most one email per topic per cycle per subscriber; none in a cycle without matches.
  const emailsPerCycle = ASSUMPTIONS.subscribers * Math.min(ASSUMPTIONS.topics, matchesPerCycle);
  const dynamoWrites = cycles * input.feeds * input.perFeed.writeUnits * PRICES.dynamoWriteRequestUnit;
  const dynamoReads =
    (cycles * input.feeds * input.perFeed.readUnits + ASSUMPTIONS.apiRequestsPerMonth * input.readUnitsPerApiRequest) * PRICES.dynamoReadRequestUnit;
  const lambda = cycles * (lambdaSecondsPerCycle * input.memoryGb * PRICES.lambdaArmGbSecond + PRICES.lambdaRequest);
  const sns = cycles * emailsPerCycle * PRICES.snsEmail;
  const httpApi = ASSUMPTIONS.apiRequestsPerMonth * PRICES.httpApiRequest;
  const logs = (cycles * ASSUMPTIONS.logBytesPerInvocation * PRICES.logsIngestGb) / 1e9;
  return {
    feeds: input.feeds,
    cyclesPerMonth: cycles,
    lambdaSecondsPerCycle,
    fitsOneInvocation: lambdaSecondsPerCycle <= 900,
    dynamoWrites,
    dynamoReads,
    lambda,
    sns,
    httpApi,
    logs,
    total: dynamoWrites + dynamoReads + lambda + sns + httpApi + logs,
    gbDownloadedPerMonth: (cycles * input.feeds * input.perFeed.bytes) / 1e9,
  };
}

export interface FanOutCostInput {
  feeds: number;
  pollEveryMinutes: number;
  feedsPerMessage: number;
  maxWorkers: number;
  /** Per feed, steady state: the write units and bytes a feed costs, whoever polls it. */
  perFeed: Pick<PerFeedCycle, 'writeUnits' | 'matches' | 'bytes'>;
  /** Read units of one batch of unchanged feeds, and what a batch with a match reads on top. */
  batchReadUnits: number;
  storyContextReadUnits: number;
  /** Share of batches that bring a match. */
  batchesWithMatches: number;
  /** A worker's time on one batch with a core to itself (measured), ms. */
  batchMs: number;
  /** Measured cold start, paid once per cycle by each worker at a 15-minute schedule. */
  initMs: number;
  memoryGb: number;
  readUnitsPerApiRequest: number;
}

export interface FanOutCostBreakdown extends CostBreakdown {
  batchesPerCycle: number;
  /** Wall time of a cycle: the batches spread over maxWorkers workers, one at a time each. */
  cycleWallSeconds: number;
  sqs: number;
}

/** The fan-out's month: a dispatcher, `feeds / feedsPerMessage` worker invocations a cycle, SQS requests. */
export function fanOutMonthlyCost(input: FanOutCostInput): FanOutCostBreakdown {
  const cycles = (HOURS_PER_MONTH * 60) / input.pollEveryMinutes;
  const batches = Math.ceil(input.feeds / input.feedsPerMessage);
  const workers = Math.min(input.maxWorkers, batches);
  const workerSeconds = (batches * input.batchMs + workers * input.initMs) / 1000;
  const lambdaSecondsPerCycle = workerSeconds + ASSUMPTIONS.dispatcherMs / 1000;
  const lambda =
    cycles *
    (workerSeconds * input.memoryGb * PRICES.lambdaArmGbSecond +
      (ASSUMPTIONS.dispatcherMs / 1000) * ASSUMPTIONS.dispatcherMemoryGb * PRICES.lambdaArmGbSecond +
      (batches + 1) * PRICES.lambdaRequest);
  // A batch is one send (in groups of ten), one receive and one delete; the pollers also ask an empty queue.
  const sqsPerCycle = Math.ceil(batches / 10) + 2 * batches;
  const sqs = (cycles * sqsPerCycle + HOURS_PER_MONTH * 60 * ASSUMPTIONS.idleReceivesPerMinute) * PRICES.sqsRequest;
  const matchesPerCycle = input.feeds * input.perFeed.matches;
  const emailsPerCycle = ASSUMPTIONS.subscribers * Math.min(ASSUMPTIONS.topics, matchesPerCycle);
  const dynamoWrites = cycles * input.feeds * input.perFeed.writeUnits * PRICES.dynamoWriteRequestUnit;
  const readsPerCycle = batches * (input.batchReadUnits + input.batchesWithMatches * input.storyContextReadUnits);
  const dynamoReads = (cycles * readsPerCycle + ASSUMPTIONS.apiRequestsPerMonth * input.readUnitsPerApiRequest) * PRICES.dynamoReadRequestUnit;
  const sns = cycles * emailsPerCycle * PRICES.snsEmail;
  const httpApi = ASSUMPTIONS.apiRequestsPerMonth * PRICES.httpApiRequest;
  const logs = (cycles * (batches + 1) * ASSUMPTIONS.logBytesPerInvocation * PRICES.logsIngestGb) / 1e9;
  const cycleWallSeconds = (Math.ceil(batches / workers) * input.batchMs + input.initMs) / 1000 + ASSUMPTIONS.dispatcherMs / 1000;
  return {
    feeds: input.feeds,
    cyclesPerMonth: cycles,
    lambdaSecondsPerCycle,
    fitsOneInvocation: input.batchMs / 1000 <= 900,
    batchesPerCycle: batches,
    cycleWallSeconds,
    dynamoWrites,
    dynamoReads,
    lambda,
    sqs,
    sns,
    httpApi,
    logs,
    total: dynamoWrites + dynamoReads + lambda + sqs + sns + httpApi + logs,
    gbDownloadedPerMonth: (cycles * input.feeds * input.perFeed.bytes) / 1e9,
  };
}
