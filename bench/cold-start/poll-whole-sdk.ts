/**
 * The cold-start baseline: the real poll handler, plus the AWS SDK imported whole, the way
 * v2 code did with `require('aws-sdk')`. The client namespaces are spread into one object at
 * module scope, which esbuild cannot tree-shake, so every DynamoDB, SNS and DocumentClient
 * command is bundled and evaluated at init. Built by the same construct and options as the
 * poll function, the difference between the two is what tree-shaking the SDK buys.
 */
import * as DynamoDB from '@aws-sdk/client-dynamodb';
import * as SNS from '@aws-sdk/client-sns';
import * as DocumentClient from '@aws-sdk/lib-dynamodb';

const AWS = { ...DynamoDB, ...SNS, ...DocumentClient };
(globalThis as { __benchWholeSdk?: unknown }).__benchWholeSdk = AWS;

export { handler } from '#functions/poll.ts';
