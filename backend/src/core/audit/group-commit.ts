/**
 * Durable appends without a business transaction (reads, denials, sign-ins): callers wait until
 * their event is committed, but events arriving together share one INSERT and one commit. With
 * many concurrent callers this turns one fsync per event into one per batch (group commit).
 */
import { type DatabasePool, sql } from 'slonik';

interface Pending {
  event: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export class GroupCommit {
  private queue: Pending[] = [];
  private inFlight = 0;
  private scheduled = false;

  /** `insert` writes one batch in one statement (and so one commit); the recorder's writes to the intake. */
  constructor(
    private readonly insert: (events: string[]) => Promise<void>,
    private readonly options: { maxBatch: number; maxInFlight: number } = { maxBatch: 2000, maxInFlight: 4 },
  ) {}

  /** Resolves once the event (canonical JSON of an unsealed event) is committed. */
  add(event: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ event, resolve, reject });
      this.schedule();
    });
  }

  get pending(): number {
    return this.queue.length + this.inFlight;
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= this.options.maxInFlight) return;
    this.scheduled = true;
    // One tick lets concurrent callers join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0 || this.inFlight >= this.options.maxInFlight) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.inFlight++;
    try {
      await this.insert(batch.map((p) => p.event));
      for (const p of batch) p.resolve();
    } catch (error) {
      for (const p of batch) p.reject(error);
    } finally {
      this.inFlight--;
      if (this.queue.length > 0) this.schedule();
    }
  }
}

/** Appends unsealed events to the intake in one statement. */
export async function insertIntake(
  db: Pick<DatabasePool, 'query'>,
  events: readonly string[],
): Promise<void> {
  if (events.length === 0) return;
  await db.query(sql.unsafe`INSERT INTO audit_intake (event) SELECT unnest(${sql.array(events, 'text')})`);
}
