/**
 * Where a bundle's bytes go: `privacy_request_files`, in parts of 1 MiB, as the zip writer produces
 * them. Any backend instance can then serve the download and none needs local disk. The writer hashes
 * the whole bundle as it passes (the SHA-256 the requester can check their download against) and
 * applies backpressure: the zip waits while a part is being stored.
 */
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'slonik';
import type { Queryable } from '../../../core/database/database.js';

export const PART_BYTES = 1024 * 1024;

export type StorePart = (part: number, data: Buffer) => Promise<void>;

export class BundleParts extends Writable {
  private readonly hash = createHash('sha256');
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private parts = 0;
  private total = 0;

  constructor(
    private readonly store: StorePart,
    private readonly partBytes = PART_BYTES,
  ) {
    super();
  }

  /** The bundle's size and SHA-256 (hex), once the stream has finished. */
  result(): { bytes: number; sha256: string; parts: number } {
    return { bytes: this.total, sha256: this.hash.copy().digest('hex'), parts: this.parts };
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.total += chunk.length;
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes < this.partBytes) done();
    else this.storeFullParts().then(() => done(), done);
  }

  override _final(done: (error?: Error | null) => void): void {
    this.storeFullParts()
      .then(() => (this.pendingBytes > 0 || this.parts === 0 ? this.storeNext(this.takeAll()) : undefined))
      .then(() => done(), done);
  }

  private async storeFullParts(): Promise<void> {
    while (this.pendingBytes >= this.partBytes) {
      const all = this.takeAll();
      await this.storeNext(all.subarray(0, this.partBytes));
      const rest = all.subarray(this.partBytes);
      if (rest.length > 0) {
        this.pending = [rest];
        this.pendingBytes = rest.length;
      }
    }
  }

  private takeAll(): Buffer {
    const all = this.pending.length === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending);
    this.pending = [];
    this.pendingBytes = 0;
    return all;
  }

  private async storeNext(data: Buffer): Promise<void> {
    await this.store(this.parts, data);
    this.parts += 1;
  }
}

/** Stores each part in its own statement: a bundle of any size never sits in one transaction. */
export function storeParts(db: Queryable, requestId: string): StorePart {
  return async (part, data) => {
    await db.query(sql.unsafe`
      INSERT INTO privacy_request_files (request_id, part, data) VALUES (${requestId}, ${part}, ${sql.binary(data)})`);
  };
}

/** Removes an earlier bundle of the request (a run cut short, or the request answered again). */
export async function clearParts(db: Queryable, requestId: string): Promise<void> {
  await db.query(sql.unsafe`DELETE FROM privacy_request_files WHERE request_id = ${requestId}`);
}
