import { InternalServerError, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createDocumentClient } from '#shared/store/dynamo-client.ts';
import { DynamoStore } from '#shared/store/dynamo-store.ts';
import type { TestTable } from '#tests/support/dynamo.ts';

/**
 * Fault injection on a real DocumentClient talking to DynamoDB Local: a middleware inside the
 * SDK's retry loop (the deserialize step) fails chosen calls the way DynamoDB does, so the SDK's
 * own retry strategy is what has to recover, and calls it lets through reach DynamoDB Local.
 */

export type FaultKind = 'throttle' | 'server';

export interface FaultRule {
  /** The low-level command name, e.g. `PutItemCommand`, `BatchWriteItemCommand`. */
  command: string;
  kind: FaultKind;
  /** Fail this many matching calls (attempts, retries included), then let them through. Infinity: always. */
  times: number;
  /** Only calls whose input passes this. */
  when?: (input: Record<string, unknown>) => boolean;
}

export interface FaultyTable {
  doc: DynamoDBDocumentClient;
  store: DynamoStore;
  /** Calls that were failed, per command name. */
  injected: Map<string, number>;
  /** Calls that reached DynamoDB Local, per command name. */
  passed: Map<string, number>;
  destroy(): void;
}

export function makeFault(kind: FaultKind, command: string): Error {
  const $metadata = { httpStatusCode: kind === 'throttle' ? 400 : 500, requestId: 'injected', attempts: 1, totalRetryDelay: 0 };
  return kind === 'throttle'
    ? new ProvisionedThroughputExceededException({ message: `injected throttling on ${command}`, $metadata })
    : new InternalServerError({ message: `injected internal server error on ${command}`, $metadata });
}

/** A separate client (and store) on `table` whose calls go through `rules`. */
export function faultyTable(table: TestTable, rules: FaultRule[], options: { maxAttempts?: number } = {}): FaultyTable {
  const doc = createDocumentClient({ endpoint: table.endpoint, maxAttempts: options.maxAttempts ?? 5 });
  const injected = new Map<string, number>();
  const passed = new Map<string, number>();
  const remaining = rules.map((rule) => ({ rule, left: rule.times }));
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  doc.middlewareStack.add(
    (next, context) => async (args) => {
      const command = String((context as { commandName?: string }).commandName);
      const input = (args as { input?: Record<string, unknown> }).input ?? {};
      const hit = remaining.find(({ rule, left }) => left > 0 && rule.command === command && (rule.when?.(input) ?? true));
      if (hit) {
        hit.left -= 1;
        bump(injected, command);
        throw makeFault(hit.rule.kind, command);
      }
      bump(passed, command);
      return next(args);
    },
    { step: 'deserialize', name: 'fundwatchFaultInjection', priority: 'high' },
  );
  return {
    doc,
    store: new DynamoStore({ client: doc, tableName: table.tableName }),
    injected,
    passed,
    destroy: () => doc.destroy(),
  };
}
