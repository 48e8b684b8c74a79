import { stopFileDynamoAfterAll } from './dynamo-per-file.ts';

stopFileDynamoAfterAll();
