/**
 * The lock that keeps a new legal hold and a retention deletion from crossing. Every retention
 * transaction that removes rows takes it shared and reads the active holds after taking it; placing
 * a hold takes it exclusive. So a hold either commits before a deletion reads the holds (and the
 * deletion spares its rows), or waits until that deletion has committed: no row covered by a
 * committed hold is ever deleted by a transaction that started before the hold.
 */
import { sql } from 'slonik';
import type { Queryable } from '../../../core/database/database.js';

/** 'custos' + 0x10: beside the audit trail's locks (core/audit/locks.ts), never equal to them. */
export const HOLDS_LOCK = 0x637573746f7310n;

/** Placing a hold: waits for deletions in flight, blocks new ones until the transaction ends. */
export async function lockHoldsForPlacement(tx: Queryable): Promise<void> {
  await tx.query(sql.unsafe`SELECT pg_advisory_xact_lock(${HOLDS_LOCK.toString()}::bigint)`);
}

/** A retention (or erasure) transaction that deletes: many may hold it at once. */
export async function lockHoldsForDeletion(tx: Queryable): Promise<void> {
  await tx.query(sql.unsafe`SELECT pg_advisory_xact_lock_shared(${HOLDS_LOCK.toString()}::bigint)`);
}
