/**
 * SQL of the portal's secrets: one-time codes (hashes only) and the per-reference throttle that
 * limits guessing codes and asking for new ones, the same for references that do not exist.
 */
import { Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';

export type ThrottleScope = 'verify' | 'code';
/** Attempts per reference and scope in one window. */
export const THROTTLE_LIMIT = 5;
export const THROTTLE_WINDOW_SECONDS = 3600;
/** Wrong guesses one code survives: the fifth kills it, whatever the hourly window says. */
export const WRONG_GUESSES_PER_CODE = 5;
/** Wrong codes one request takes over its whole life; past that only an officer can help. */
export const WRONG_CODES_PER_REQUEST = 20;
/** How long the status page's access token opens the request. */
export const ACCESS_TOKEN_HOURS = 24;

const codeRow = z.object({
  id: z.uuid(),
  code_salt: z.instanceof(Buffer),
  code_hash: z.string(),
  attempts: z.number().int(),
  live: z.boolean(),
});
export type StoredCode = z.infer<typeof codeRow>;

const windowRow = z.object({ hits: z.number().int(), retry_after: z.number().int() });

@Injectable()
export class RequestCodesRepository {
  async insert(
    code: { requestId: string; salt: Buffer; hash: string; validityMinutes: number },
    db: Queryable,
  ): Promise<void> {
    await db.query(sql.unsafe`
      INSERT INTO privacy_request_codes (request_id, code_salt, code_hash, expires_at)
      VALUES (${code.requestId}, ${sql.binary(code.salt)}, ${code.hash},
              now() + make_interval(mins => ${code.validityMinutes}))`);
  }

  /** The request's newest code (a new code replaces the ones before it), locked for this transaction. */
  async newest(requestId: string, db: Queryable): Promise<StoredCode | null> {
    return db.maybeOne(sql.type(codeRow)`
      SELECT id, code_salt, code_hash, attempts,
        (consumed_at IS NULL AND expires_at > now() AND attempts < ${WRONG_GUESSES_PER_CODE}) AS live
      FROM privacy_request_codes WHERE request_id = ${requestId}
      ORDER BY created_at DESC, id DESC LIMIT 1 FOR UPDATE`);
  }

  async consume(codeId: string, db: Queryable): Promise<void> {
    await db.query(sql.unsafe`UPDATE privacy_request_codes SET consumed_at = now() WHERE id = ${codeId}`);
  }

  /** Counts a wrong guess against the code (expiring it on the last one it survives). */
  async countWrongGuess(codeId: string, db: Queryable): Promise<void> {
    // consumed_at keeps meaning "exchanged for a token"; a guessed-out code just expires (never
    // before it was created: the table checks expires_at > created_at).
    await db.query(sql.unsafe`
      UPDATE privacy_request_codes SET attempts = attempts + 1,
        expires_at = CASE WHEN attempts + 1 >= ${WRONG_GUESSES_PER_CODE}
          THEN greatest(created_at + interval '1 millisecond', least(expires_at, now())) ELSE expires_at END
      WHERE id = ${codeId}`);
  }

  /** Counts a wrong code against the request's lifetime total; returns the new total. */
  async countWrongCode(requestId: string, db: Queryable): Promise<number> {
    return db.oneFirst(sql.type(z.object({ wrong_codes: z.number().int() }))`
      UPDATE privacy_requests SET wrong_codes = wrong_codes + 1 WHERE id = ${requestId} RETURNING wrong_codes`);
  }

  async wrongCodes(requestId: string, db: Queryable): Promise<number> {
    return db.oneFirst(sql.type(z.object({ wrong_codes: z.number().int() }))`
      SELECT wrong_codes FROM privacy_requests WHERE id = ${requestId}`);
  }

  /** Stamps the issue time of the token verification just set (same transaction). */
  async stampAccessToken(requestId: string, db: Queryable): Promise<void> {
    await db.query(
      sql.unsafe`UPDATE privacy_requests SET access_token_issued_at = now() WHERE id = ${requestId}`,
    );
  }

  /** Whether the request's access token was issued within ACCESS_TOKEN_HOURS (false when unknown). */
  async accessTokenFresh(requestId: string | null, db: Queryable): Promise<boolean> {
    const fresh = await db.maybeOneFirst(sql.type(z.object({ fresh: z.boolean() }))`
      SELECT COALESCE(access_token_issued_at > now() - make_interval(hours => ${ACCESS_TOKEN_HOURS}), false) AS fresh
      FROM privacy_requests WHERE id = ${requestId}`);
    return fresh === true;
  }

  /**
   * The reference's window for this scope (a new one when the last is over an hour old), locked for
   * the transaction so that concurrent attempts are counted one after the other.
   */
  async window(
    scope: ThrottleScope,
    reference: string,
    db: Queryable,
  ): Promise<{ hits: number; retryAfter: number }> {
    const over = sql.fragment`t.window_started_at <= now() - make_interval(secs => ${THROTTLE_WINDOW_SECONDS})`;
    const row = await db.one(sql.type(windowRow)`
      INSERT INTO privacy_portal_throttle AS t (scope, reference) VALUES (${scope}, ${reference})
      ON CONFLICT (scope, reference) DO UPDATE SET
        window_started_at = CASE WHEN ${over} THEN now() ELSE t.window_started_at END,
        hits = CASE WHEN ${over} THEN 0 ELSE t.hits END
      RETURNING hits, greatest(1, ceil(extract(epoch FROM
        t.window_started_at + make_interval(secs => ${THROTTLE_WINDOW_SECONDS}) - now())))::int AS retry_after`);
    return { hits: row.hits, retryAfter: row.retry_after };
  }

  async hit(scope: ThrottleScope, reference: string, db: Queryable): Promise<number> {
    return db.oneFirst(sql.type(z.object({ hits: z.number().int() }))`
      UPDATE privacy_portal_throttle SET hits = hits + 1
      WHERE scope = ${scope} AND reference = ${reference} RETURNING hits`);
  }

  /** Windows that ended long ago hold nothing worth keeping. */
  async purgeOldWindows(db: Queryable): Promise<number> {
    const result = await db.query(sql.unsafe`
      DELETE FROM privacy_portal_throttle WHERE window_started_at < now() - interval '1 day'`);
    return result.rowCount;
  }
}
