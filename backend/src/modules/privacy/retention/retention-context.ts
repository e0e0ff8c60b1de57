/** What every retention step shares during one run. */
import type { DataMap } from '@custos/policies';
import { z } from 'zod';
import type { Database, Queryable } from '../../../core/database/database.js';
import type { RunScope } from './retention-plan.js';
import type { ReportLedger } from './retention-report.js';

/** Hooks for measuring a run from outside (the benchmark reads the WAL position around each unit). */
export interface RetentionObserver {
  unitStarted?(unit: string): Promise<void>;
  unitFinished?(unit: string): Promise<void>;
}

export interface RetentionContext {
  db: Database;
  dataMap: DataMap;
  scope: RunScope;
  dryRun: boolean;
  batchSize: number;
  ledger: ReportLedger;
  /** Writes the report as it stands: in the transaction of the batch it counts, for exact counts. */
  save(db: Queryable): Promise<void>;
  /** Between units and batches: renews the job's lease; throws when the job was taken over. */
  heartbeat(stage: string): Promise<void>;
  observer?: RetentionObserver;
}

/** Counts of rows per tenant (and schedule), with the period they span. */
export const countRow = z.object({
  tenant_id: z.uuid().nullable(),
  schedule: z.string(),
  rows: z.coerce.number().int(),
  first: z.string().nullable(),
  last: z.string().nullable(),
});
export type CountRow = z.infer<typeof countRow>;
