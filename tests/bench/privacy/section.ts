/**
 * A section of `npm run bench:privacy`: each measures one part of privacy operations on the shared
 * database and returns its table rows and its JSON. Retention is the first; data-subject export and
 * erasure are added as further sections.
 */
export interface BenchSettings {
  /** Telemetry rows to generate (--rows). */
  rows: number;
  /** Daily partitions to spread them over (--days). */
  days: number;
  batchSize: number;
  /** Telemetry rows of the one data subject whose export and erasure are measured (--subject-rows). */
  subjectRows: number;
}

export interface BenchContext {
  settings: BenchSettings;
  /** The schema owner (fixtures, WAL positions). */
  ownerUrl: string;
  /** The API's own login role, as the backend connects. */
  appUrl: string;
  progress(message: string): void;
}

export interface TableRow {
  measurement: string;
  measured: string;
  target: string;
  result: string;
}

export interface Section {
  name: string;
  run(ctx: BenchContext): Promise<{ table: TableRow[]; json: Record<string, unknown> }>;
}
