import type { AlertEmail, AlertMode, Match, TopicId } from '#shared/model.ts';

/** Sends one email to everyone subscribed to its topic and mode (SNS, or the local outbox). */
export interface AlertPublisher {
  publish(email: AlertEmail): Promise<void>;
}

/**
 * Idempotency records for alerts, one per (mode, topic, key): the key is an item id for instant
 * alerts and a UTC date for daily digests. A claim is `pending` from before the Publish until
 * `markSent`; `release` removes it again after a failed Publish so that a retry sends.
 */
export interface AlertClaims {
  /**
   * Claims each key for `owner` and returns the keys it now holds: keys never claimed, and keys
   * left `pending` by an attempt that ended without marking or releasing them (a stream shard
   * is processed by one invocation at a time, so such an attempt is over). Keys already `sent`
   * are not returned.
   */
  claim(mode: AlertMode, topic: TopicId, keys: string[], owner: string): Promise<string[]>;
  /** Marks keys held by `owner` as sent; they are never claimed again. */
  markSent(mode: AlertMode, topic: TopicId, keys: string[], owner: string): Promise<void>;
  /** Gives up keys held by `owner` (after a failed Publish), so the next attempt can claim them. */
  release(mode: AlertMode, topic: TopicId, keys: string[], owner: string): Promise<void>;
}

/** Reads the matches of one topic for the daily digest. */
export interface TopicMatchReader {
  /** Matches of `topic` published at or after `sinceIso`, newest first, via the topic rows. */
  matchesForTopic(topic: TopicId, sinceIso: string): Promise<Match[]>;
}

/** Minimal logging port so the domain can report without depending on a logger library. */
export interface AlertLog {
  info(message: string, data?: Record<string, unknown>): void;
  warn(message: string, data?: Record<string, unknown>): void;
  error(message: string, data?: Record<string, unknown>): void;
}

export const silentLog: AlertLog = { info() {}, warn() {}, error() {} };
