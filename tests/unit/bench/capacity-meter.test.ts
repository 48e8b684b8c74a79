import { describe, expect, it } from 'vitest';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CapacityMeter } from '../../../bench/lib/capacity.ts';

/** A document client whose requests never leave the process: each body is kept, and DynamoDB's answer faked. */
function capturingClient(): { doc: DynamoDBDocumentClient; bodies: string[] } {
  const bodies: string[] = [];
  const client = new DynamoDBClient({ region: 'local', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  client.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { body?: string };
      bodies.push(String(request.body ?? ''));
      const asked = bodies.at(-1)!.includes('ReturnConsumedCapacity');
      return { response: {} as never, output: { $metadata: {}, ...(asked ? { ConsumedCapacity: { TableName: 't', CapacityUnits: 1 } } : {}) } as never };
    },
    { step: 'finalizeRequest', name: 'captureAndAnswer', priority: 'low' },
  );
  return { doc: DynamoDBDocumentClient.from(client), bodies };
}

describe('CapacityMeter', () => {
  it('asks for and adds up consumed capacity, and asks nothing while paused', async () => {
    const { doc, bodies } = capturingClient();
    const meter = new CapacityMeter().attach(doc);
    const put = () => doc.send(new PutCommand({ TableName: 't', Item: { pk: 'a', sk: 'b' } }));

    await put();
    expect(bodies[0]).toContain('"ReturnConsumedCapacity":"INDEXES"');
    expect(meter.snapshot().writeUnits).toBe(1);

    meter.pause();
    await put();
    expect(bodies[1]).not.toContain('ReturnConsumedCapacity');
    // Paused, the meter does not even count the call.
    expect(Object.values(meter.snapshot().calls)).toEqual([1]);

    meter.resume();
    await put();
    expect(bodies[2]).toContain('ReturnConsumedCapacity');
    expect(meter.snapshot().writeUnits).toBe(2);
  });
});
