/**
 * Advisory locks that make the audit jobs safe with many instances: one sealer, one signer and one
 * verifier at a time across the whole deployment.
 */
import { sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../database/database.js';

export const SEAL_LOCK = 0x637573746f7301n; // 'custos' + 1
export const SIGN_LOCK = 0x637573746f7302n;
export const VERIFY_LOCK = 0x637573746f7303n;

/** Takes a transaction-scoped advisory lock: waits for it, or only tries. */
export async function advisoryXactLock(tx: Queryable, key: bigint, wait: boolean): Promise<boolean> {
  if (wait) {
    await tx.query(sql.unsafe`SELECT pg_advisory_xact_lock(${key.toString()}::bigint)`);
    return true;
  }
  return tx.oneFirst(
    sql.type(
      z.object({ locked: z.boolean() }),
    )`SELECT pg_try_advisory_xact_lock(${key.toString()}::bigint) AS locked`,
  );
}

/** The database's clock as an ISO-8601 UTC instant with milliseconds (what tree heads carry). */
export async function databaseNow(db: Queryable): Promise<string> {
  return db.oneFirst(sql.type(z.object({ now: z.string() }))`
    SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS now`);
}
