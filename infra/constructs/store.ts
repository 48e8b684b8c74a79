import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { GSI1, KEY, TTL_ATTRIBUTE } from '#shared/store/table-design.ts';

/**
 * The one DynamoDB table of the single-table design in shared/store/table-design.ts (the same
 * keys, index and TTL attribute that create-table.ts builds on DynamoDB Local).
 *
 * - On-demand: a poll every 15 minutes is a burst then silence; provisioned capacity would sit idle.
 * - PITR, deletion protection and RETAIN: the stored matches are the product's history; a
 *   `cdk destroy` or a stack rename must not take them with it.
 * - Stream NEW_IMAGE: the notify function only needs the inserted match, never the old image.
 * - Encryption with the AWS-managed key (aws/dynamodb) rather than a customer key: the data is
 *   public news, the key usage is still logged in CloudTrail, there is no key policy to keep in
 *   step with the stream consumer, and no $1/month key or risk of a scheduled key deletion
 *   making the table unreadable. A customer key is the change to make if the account requires
 *   key-level revocation.
 */
export class Store extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: KEY.pk, type: AttributeType.STRING },
      sortKey: { name: KEY.sk, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      stream: StreamViewType.NEW_IMAGE,
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: GSI1,
      partitionKey: { name: KEY.gsi1pk, type: AttributeType.STRING },
      sortKey: { name: KEY.gsi1sk, type: AttributeType.STRING },
      projectionType: ProjectionType.ALL,
    });
  }
}
