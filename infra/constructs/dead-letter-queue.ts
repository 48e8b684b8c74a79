import { Duration, Validations } from 'aws-cdk-lib';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/**
 * A queue that only ever receives what failed: Lambda on-failure records, EventBridge targets
 * that could not be invoked. Encrypted with SQS-managed keys (no KMS key policy to keep in step
 * with Lambda and EventBridge), TLS only, and kept for the SQS maximum of 14 days so a failure
 * seen on Friday is still there on Monday. Its depth is alarmed on in alarms.ts.
 */
export class DeadLetterQueue extends Queue {
  constructor(scope: Construct, id: string) {
    super(scope, id, {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason:
          'This queue is itself the dead-letter destination (Lambda on-failure / EventBridge target DLQ); nothing consumes it automatically, so a further DLQ behind it would never receive anything.',
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: 'Same as AwsSolutions-SQS3: this is the dead-letter queue; operators read and redrive it by hand.',
      },
    );
  }
}
