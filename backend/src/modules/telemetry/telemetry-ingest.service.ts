/**
 * Telemetry ingest: subscribes to every device's telemetry (shared between backend instances
 * where the broker can), collects messages into batches and commits each batch with
 * `commitBatch`, which acknowledges the messages only after the commit. A failing database is
 * retried with backoff while messages stay unacknowledged; the broker's in-flight limit then
 * stops sending, so memory stays bounded and nothing acknowledged is ever lost.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { type BeforeApplicationShutdown, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { METRICS_REGISTRY } from '../../core/audit/audit-metrics.js';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { APP_CONFIG, type AppConfig } from '../../core/config/config.js';
import { APP_LOGGER } from '../../core/core.tokens.js';
import { Database } from '../../core/database/database.js';
import { BackendMqtt } from '../../core/mqtt/backend-mqtt.js';
import type { DeferredMessage } from '../../core/mqtt/deferred-acks.js';
import { DeviceDirectory } from './device-directory.js';
import { RejectionAudit } from './rejection-audit.js';
import { isMissingPartition, TelemetryRepository } from './telemetry.repository.js';
import { type BatchDependencies, commitBatch } from './telemetry-batch.js';
import { TelemetryMetrics } from './telemetry-metrics.js';

const HOUR_MS = 3600 * 1000;
const MAX_RETRY_DELAY_MS = 5_000;
/** Devices' clocks may run a little ahead of ours. */
const MAX_AHEAD_MS = 5 * 60 * 1000;

@Injectable()
export class TelemetryIngest implements OnModuleInit, BeforeApplicationShutdown {
  private queue: DeferredMessage[] = [];
  private timer: NodeJS.Timeout | undefined;
  private draining: Promise<void> | undefined;
  /** Messages of the batch being committed. */
  private inFlight = 0;
  private stopping = false;
  private readonly metrics: TelemetryMetrics;
  private readonly deps: BatchDependencies;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(APP_LOGGER) private readonly logger: Logger,
    @Inject(BackendMqtt) private readonly mqtt: BackendMqtt,
    @Inject(Database) db: Database,
    @Inject(DeviceDirectory) directory: DeviceDirectory,
    @Inject(TelemetryRepository) private readonly repository: TelemetryRepository,
    @Inject(AuditRecorder) audit: AuditRecorder,
    @Inject(METRICS_REGISTRY) registry: Registry,
  ) {
    this.metrics = new TelemetryMetrics(registry);
    this.deps = {
      db,
      directory,
      repository,
      audit,
      rejections: new RejectionAudit(),
      window: { maxAgeMs: config.TELEMETRY_MAX_AGE_HOURS * HOUR_MS, maxAheadMs: MAX_AHEAD_MS },
    };
  }

  onModuleInit(): void {
    this.mqtt.consume('telemetry', (message) => this.enqueue(message));
  }

  /** Commits what is in hand before the connection closes (BackendMqtt closes it afterwards). */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    await this.draining;
  }

  /** Whether the broker connection is up now. */
  get connected(): boolean {
    return this.mqtt.connected;
  }

  /** Messages received and not yet committed (and so not yet acknowledged to the broker). */
  pendingMessages(): number {
    return this.queue.length + this.inFlight;
  }

  private enqueue(message: DeferredMessage): void {
    this.queue.push(message);
    if (this.queue.length >= this.config.TELEMETRY_BATCH_SIZE) this.kick();
    else this.timer ??= setTimeout(() => this.kick(), this.config.TELEMETRY_BATCH_WAIT_MS);
  }

  private kick(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.draining || this.stopping) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.queue.length > 0 && !this.stopping) this.kick();
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && !this.stopping) {
      const batch = this.queue.splice(0, this.config.TELEMETRY_BATCH_SIZE);
      this.inFlight = batch.length;
      await this.commitWithRetry(batch).finally(() => {
        this.inFlight = 0;
      });
    }
  }

  private async commitWithRetry(batch: DeferredMessage[]): Promise<void> {
    for (let attempt = 0; !this.stopping; attempt++) {
      const stopTimer = this.metrics.batchSeconds.startTimer();
      try {
        this.metrics.record(await commitBatch(batch, this.deps));
        stopTimer();
        return;
      } catch (error) {
        if (isMissingPartition(error) && attempt === 0) {
          await this.ensurePartitionsForWindow();
          continue;
        }
        this.metrics.commitFailures.inc();
        this.logger.warn(
          { err: { message: (error as Error).message, code: (error as { code?: string }).code }, attempt },
          'telemetry batch not committed; retrying (nothing acknowledged)',
        );
        await sleep(Math.min(MAX_RETRY_DELAY_MS, 100 * 2 ** attempt));
      }
    }
  }

  private async ensurePartitionsForWindow(): Promise<void> {
    const now = Date.now();
    await this.repository.ensurePartitions(
      new Date(now - this.deps.window.maxAgeMs),
      new Date(now + MAX_AHEAD_MS),
    );
  }
}
