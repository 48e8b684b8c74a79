/**
 * The cold-start baseline: the tutorial poll Lambda (rss-parser, keyword regex, PutItem, SNS
 * publish), importing the SDK the way v2 code did, `require('aws-sdk')`: every client export
 * is kept. The namespaces are spread into one object, which esbuild cannot tree-shake, so the
 * bundle carries every DynamoDB, SNS and DocumentClient command: the size and the init cost of
 * "import the whole SDK", bundled by the same construct and options as the real poll function.
 */
import * as DynamoDB from '@aws-sdk/client-dynamodb';
import * as SNS from '@aws-sdk/client-sns';
import * as DocumentClient from '@aws-sdk/lib-dynamodb';
import Parser from 'rss-parser';
import { parseCompiledJson } from '#shared/config/runtime.ts';

const AWS = { ...DynamoDB, ...SNS, ...DocumentClient };
// The construct compiles the config in gzipped + base64 (see encodeCompiledJson), as for the real poll function.
const config = process.env.FUNDWATCH_CONFIG;
const feeds = config ? (parseCompiledJson('FUNDWATCH_CONFIG', config) as { feeds: { url: string }[] }).feeds : [];
const doc = AWS.DynamoDBDocumentClient.from(new AWS.DynamoDBClient({}));
const sns = new AWS.SNSClient({});
const parser = new Parser();
const keywords = /nato|ukraine|fund|aid/i;

export const handler = async (): Promise<{ items: number; commands: number }> => {
  let items = 0;
  for (const { url } of feeds) {
    const feed = await parser.parseURL(url);
    for (const item of feed.items) {
      items++;
      await doc.send(new AWS.PutCommand({ TableName: process.env.TABLE_NAME, Item: { id: item.guid ?? item.link, title: item.title } }));
      if (keywords.test(item.title ?? '')) await sns.send(new AWS.PublishCommand({ TopicArn: process.env.ALERT_TOPIC_ARN, Message: item.title ?? '' }));
    }
  }
  return { items, commands: Object.keys(AWS).length };
};
