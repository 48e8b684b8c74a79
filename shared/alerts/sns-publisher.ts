import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { AlertEmail } from '#shared/model.ts';
import type { AlertPublisher } from './ports.ts';
import { ALERT_MESSAGE_ATTRIBUTES } from './message-attributes.ts';

/**
 * SNS suspends an email subscription that receives more than 10 messages a second, and one
 * address may be subscribed to several topics, so every Publish goes through a pacer that keeps
 * the whole invocation (and the warm container after it) at 5 a second or fewer.
 */
export const DEFAULT_MESSAGES_PER_SECOND = 5;
/** SNS's limit for a whole message (body, subject and attributes). */
export const SNS_MAX_MESSAGE_BYTES = 256 * 1024;

export type Pacer = () => Promise<void>;

export interface PacerOptions {
  perSecond?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Spaces calls evenly; a slot is reserved before the wait, so concurrent callers queue up too. */
export function createPacer(options: PacerOptions = {}): Pacer {
  const interval = 1000 / (options.perSecond ?? DEFAULT_MESSAGES_PER_SECOND);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? realSleep;
  let nextSlot = 0;
  return async () => {
    const current = now();
    const slot = Math.max(current, nextSlot);
    nextSlot = slot + interval;
    if (slot > current) await sleep(slot - current);
  };
}

export interface SnsAlertPublisherOptions {
  client: SNSClient;
  topicArn: string;
  /** Injectable so tests never wait; one per publisher instance (i.e. per cold start). */
  pacer?: Pacer;
}

/** Publishes with the message attributes `topic` and `mode` that subscription filter policies route on. */
export class SnsAlertPublisher implements AlertPublisher {
  private readonly pace: Pacer;

  constructor(private readonly options: SnsAlertPublisherOptions) {
    this.pace = options.pacer ?? createPacer();
  }

  async publish(email: AlertEmail): Promise<void> {
    const message = snsMessageOf(email);
    const size =
      Buffer.byteLength(message.Message) + Buffer.byteLength(email.subject) + Buffer.byteLength(email.topic) + 64;
    if (size > SNS_MAX_MESSAGE_BYTES) {
      throw new Error(`alert email for ${email.topic} is ${size} bytes, over SNS's ${SNS_MAX_MESSAGE_BYTES}`);
    }
    await this.pace();
    await this.options.client.send(
      new PublishCommand({
        TopicArn: this.options.topicArn,
        Subject: email.subject,
        ...message,
        MessageAttributes: {
          [ALERT_MESSAGE_ATTRIBUTES.topic]: { DataType: 'String', StringValue: email.topic },
          [ALERT_MESSAGE_ATTRIBUTES.mode]: { DataType: 'String', StringValue: email.mode },
        },
      }),
    );
  }
}

/**
 * One Publish for every channel: email subscribers get the plain text (the `email` key), every
 * other protocol (SQS, Lambda: the user's own and the webhook delivery function) the payload
 * JSON as the `default` message. Without a payload the text goes to everyone, as before.
 */
export function snsMessageOf(email: AlertEmail): { Message: string; MessageStructure?: 'json' } {
  if (!email.payload) return { Message: email.body };
  return { Message: JSON.stringify({ default: JSON.stringify(email.payload), email: email.body }), MessageStructure: 'json' };
}
