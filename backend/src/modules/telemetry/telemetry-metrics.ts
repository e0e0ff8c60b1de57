/** Telemetry ingest metrics: counts by outcome and reason, batch commit time. */
import { Counter, Histogram, type Registry } from 'prom-client';
import type { BatchOutcome } from './telemetry-batch.js';

export class TelemetryMetrics {
  private readonly messages: Counter<'outcome'>;
  private readonly rejected: Counter<'reason'>;
  readonly batchSeconds: Histogram;
  readonly commitFailures: Counter;

  constructor(registry: Registry) {
    this.messages = new Counter({
      name: 'custos_telemetry_messages_total',
      help: 'Telemetry messages committed, by outcome (inserted, duplicate, rejected)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.rejected = new Counter({
      name: 'custos_telemetry_rejected_total',
      help: 'Telemetry messages refused, by reason',
      labelNames: ['reason'],
      registers: [registry],
    });
    this.batchSeconds = new Histogram({
      name: 'custos_telemetry_batch_seconds',
      help: 'Time to commit one telemetry batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    });
    this.commitFailures = new Counter({
      name: 'custos_telemetry_commit_failures_total',
      help: 'Telemetry batches whose commit failed and was retried (nothing was acknowledged)',
      registers: [registry],
    });
  }

  record(outcome: BatchOutcome): void {
    this.messages.inc({ outcome: 'inserted' }, outcome.inserted);
    this.messages.inc({ outcome: 'duplicate' }, outcome.duplicates);
    this.messages.inc({ outcome: 'rejected' }, outcome.rejected.length);
    for (const rejection of outcome.rejected) this.rejected.inc({ reason: rejection.reason });
  }
}
