/**
 * SQL of what a request leaves besides its row: its history as the requester sees it (statuses and
 * event codes, never personal data) and the bundle an access or portability request produced.
 */
import { Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';
import type { HistoryEntry } from './requests.dto.js';

/** Stable codes of what happened, shown (translated) on the status page. */
export type HistoryEvent =
  | 'filed'
  | 'code-sent'
  | 'contact-verified'
  | 'identity-verified'
  | 'assigned'
  | 'extended'
  | 'rejected'
  | 'processing-started'
  | 'completed';

const historyRow = z.object({ at: z.string(), status: z.string(), event: z.string() });
const fileRow = z.object({
  bytes: z.number().int(),
  parts: z.number().int(),
  created_at: z.string().nullable(),
});

@Injectable()
export class RequestHistoryRepository {
  async add(requestId: string, status: string, event: HistoryEvent, db: Queryable): Promise<void> {
    await db.query(sql.unsafe`
      INSERT INTO privacy_request_history (request_id, status, event) VALUES (${requestId}, ${status}, ${event})`);
  }

  async list(requestId: string, db: Queryable): Promise<HistoryEntry[]> {
    return [
      ...(await db.any(sql.type(historyRow)`
        SELECT at, status, event FROM privacy_request_history WHERE request_id = ${requestId} ORDER BY id`)),
    ];
  }

  /** The stored bundle's size and age; zero parts when there is none (never made, or deleted by retention). */
  async fileInfo(
    requestId: string,
    db: Queryable,
  ): Promise<{ bytes: number; parts: number; createdAt: string | null }> {
    const row = await db.one(sql.type(fileRow)`
      SELECT coalesce(sum(octet_length(data)), 0)::int AS bytes, count(*)::int AS parts, min(created_at) AS created_at
      FROM privacy_request_files WHERE request_id = ${requestId}`);
    return { bytes: row.bytes, parts: row.parts, createdAt: row.created_at };
  }

  /** One part of the bundle (parts are numbered from 0), or null past the last. */
  async filePart(requestId: string, part: number, db: Queryable): Promise<Buffer | null> {
    return db.maybeOneFirst(sql.type(z.object({ data: z.instanceof(Buffer) }))`
      SELECT data FROM privacy_request_files WHERE request_id = ${requestId} AND part = ${part}`);
  }
}
