import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { itemSize, WRITE_UNIT_BYTES } from '#shared/store/item-size.ts';

/**
 * Capacity metering without touching the store: a middleware on a DocumentClient asks every
 * command for `ReturnConsumedCapacity: 'INDEXES'` and adds up the `ConsumedCapacity` that comes
 * back, per table and per index. DynamoDB on-demand bills exactly these units (WRU/RRU).
 *
 * One gap, stated rather than hidden: a write rejected by its condition
 * (ConditionalCheckFailedException) is billed on AWS but returns no ConsumedCapacity, so it is
 * counted separately in `conditionalFailures` (each at least 1 WRU on AWS).
 *
 * DynamoDB Local returns no ConsumedCapacity for PartiQL (BatchExecuteStatement), which the
 * store uses for match rows. Those units are computed here the way DynamoDB bills them: each
 * INSERT costs ceil(item size / 1 KB) on the table and the same again on `gsi1` when the row
 * carries its keys (projection ALL); a rejected INSERT (DuplicateItem) counts as a conditional
 * failure. Item size follows DynamoDB's rules (attribute names plus values).
 */

export interface CapacityTotals {
  readUnits: number;
  writeUnits: number;
  /** Of which on the global secondary indexes (a write to an indexed row is billed again there). */
  indexWriteUnits: number;
  indexReadUnits: number;
  calls: Record<string, number>;
  /** Units per command name, e.g. `PutCommand`: where the cost goes. */
  unitsByCommand: Record<string, number>;
  conditionalFailures: number;
}

const READS = new Set(['GetItemCommand', 'BatchGetItemCommand', 'QueryCommand', 'ScanCommand', 'TransactGetItemsCommand', 'GetCommand', 'BatchGetCommand', 'TransactGetCommand']);

interface Consumed {
  TableName?: string;
  CapacityUnits?: number;
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

export function emptyTotals(): CapacityTotals {
  return { readUnits: 0, writeUnits: 0, indexWriteUnits: 0, indexReadUnits: 0, calls: {}, unitsByCommand: {}, conditionalFailures: 0 };
}

export class CapacityMeter {
  private totals = emptyTotals();
  private paused = false;

  /**
   * Stops asking for consumed capacity until `resume()`. Asking is not free: DynamoDB Local
   * slowed a 200-feed first cycle by about 0.35 s (fundwatch) and 0.55 s (naive) when every
   * request asked, so cycles timed for speed run unmetered.
   */
  pause(): this {
    this.paused = true;
    return this;
  }

  resume(): this {
    this.paused = false;
    return this;
  }

  /** Attaches the meter to a DocumentClient (idempotent per client). */
  attach(client: DynamoDBDocumentClient): this {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (this.paused) return next(args);
        const name = String((context as { commandName?: string }).commandName ?? 'unknown');
        const input = args.input as Record<string, unknown>;
        if (input && typeof input === 'object' && input.ReturnConsumedCapacity === undefined) input.ReturnConsumedCapacity = 'INDEXES';
        this.totals.calls[name] = (this.totals.calls[name] ?? 0) + 1;
        try {
          const result = await next(args);
          const output = result.output as { ConsumedCapacity?: Consumed | Consumed[]; Responses?: { Error?: unknown }[] };
          if (name === 'BatchExecuteStatementCommand' && output.ConsumedCapacity === undefined) {
            this.recordStatements(input as StatementBatch, output.Responses ?? []);
          } else {
            this.record(name, output.ConsumedCapacity);
          }
          return result;
        } catch (err) {
          if ((err as { name?: string }).name === 'ConditionalCheckFailedException') this.totals.conditionalFailures++;
          throw err;
        }
      },
      { step: 'initialize', name: 'benchCapacityMeter', override: true },
    );
    return this;
  }

  private record(command: string, consumed: Consumed | Consumed[] | undefined): void {
    if (!consumed) return;
    const read = READS.has(command);
    for (const c of Array.isArray(consumed) ? consumed : [consumed]) {
      const units = c.CapacityUnits ?? 0;
      let index = 0;
      for (const i of Object.values(c.GlobalSecondaryIndexes ?? {})) index += i.CapacityUnits ?? 0;
      for (const i of Object.values(c.LocalSecondaryIndexes ?? {})) index += i.CapacityUnits ?? 0;
      if (read) {
        this.totals.readUnits += units;
        this.totals.indexReadUnits += index;
      } else {
        this.totals.writeUnits += units;
        this.totals.indexWriteUnits += index;
      }
      this.totals.unitsByCommand[command] = (this.totals.unitsByCommand[command] ?? 0) + units;
    }
  }

  private recordStatements(batch: StatementBatch, responses: { Error?: unknown }[]): void {
    (batch.Statements ?? []).forEach((statement, i) => {
      if (responses[i]?.Error) {
        this.totals.conditionalFailures++;
        return;
      }
      const names = [...(statement.Statement ?? '').matchAll(/'([^']+)': \?/g)].map((m) => m[1]!);
      if (!/^INSERT /i.test(statement.Statement ?? '') || names.length !== (statement.Parameters ?? []).length) return;
      const size = itemSize(Object.fromEntries(names.map((name, j) => [name, statement.Parameters![j]])));
      const units = Math.ceil(size / WRITE_UNIT_BYTES);
      const indexed = names.includes('gsi1pk') && names.includes('gsi1sk');
      this.totals.writeUnits += units + (indexed ? units : 0);
      if (indexed) this.totals.indexWriteUnits += units;
      this.totals.unitsByCommand.BatchExecuteStatementCommand = (this.totals.unitsByCommand.BatchExecuteStatementCommand ?? 0) + units;
    });
  }

  snapshot(): CapacityTotals {
    return structuredClone(this.totals);
  }

  reset(): void {
    this.totals = emptyTotals();
  }
}

interface StatementBatch {
  Statements?: { Statement?: string; Parameters?: unknown[] }[];
}
