/**
 * Erasure (GDPR art. 17) through the data map: per table, the subject's rows are deleted or
 * anonymised in batches of RETENTION_BATCH_SIZE rows, each batch its own short transaction (no long
 * locks on telemetry while devices keep writing); tables kept for a legal duty are reported with
 * their reason; rows under an active legal hold stay and are reported with the hold's id; last, the
 * subject's key to their personal data in the audit trail is destroyed (crypto-shredding), which
 * leaves every hash and proof of the trail valid. Every batch records a counts-only
 * `privacy.data_erased` event in its own transaction. Idempotent: a second run finds nothing left to do.
 */
import type { DataMap, MappedTable } from '@custos/policies';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import type { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { SubjectErasure } from '../../../core/audit/subject-erasure.js';
import type { SubjectVault } from '../../../core/audit/subject-vault.js';
import type { Database, Queryable } from '../../../core/database/database.js';
import { lockHoldsForDeletion } from '../holds/hold-lock.js';
import { anonymiseSet, erasureOrder, notYetAnonymised } from './erase-plan.js';
import type { FulfilmentContext, FulfilmentOutcome } from './fulfilment.service.js';
import { countRows } from './row-batches.js';
import { type Subject, subjectRecords, trailRecords } from './subject.js';
import { type ActiveHold, activeHolds, HOLD_REASON, heldBy, heldWhere, holdsOn } from './subject-holds.js';
import { subjectWhere } from './subject-rows.js';
import { afterCursor, columnTypes, keyAsCursor, keyOrder, keyTuple, tableKey } from './table-catalog.js';

type Kept = FulfilmentOutcome['kept'][number];

/** The request being answered keeps its contact until the answer has reached the requester. */
const REQUESTS_TABLE = 'privacy_requests';
/**
 * Accounts are how a patient's other records are found (users.subject_patient_id, see subject.ts),
 * and erasure cuts that link: the table goes last, after the audit trail, so a run cut short finds the
 * accounts again; and the request records the account it erased, as the data map keeps that link.
 */
const ACCOUNTS_TABLE = 'users';
const OWN_REQUEST_REASON =
  'This request itself is kept, with your contact address, to send you the answer and as evidence that it was answered.';

const IDENTITY_PROVIDER_NOTE =
  'Delete the person’s account at the identity provider too: signing in again would create a new account.';

/** One erasure run: the request, the subject, the holds in force and the columns' types. */
interface Run {
  requestId: string;
  subject: Subject;
  context: FulfilmentContext;
  holds: ActiveHold[];
  types: ReadonlyMap<string, string>;
}

const boundaryRow = z.object({ last: z.array(z.string()) });
const keyRow = z.object({ erased: z.boolean() });

export class Eraser {
  constructor(
    private readonly db: Database,
    private readonly erasure: SubjectErasure,
    private readonly vault: SubjectVault,
    private readonly dataMap: DataMap,
    private readonly batchSize: number,
    private readonly recorder: AuditRecorder,
  ) {}

  async erase(requestId: string, subject: Subject, context: FulfilmentContext): Promise<FulfilmentOutcome> {
    const run: Run = {
      requestId,
      subject,
      context,
      holds: await activeHolds(this.db.pool, subject),
      types: await columnTypes(this.db.pool),
    };
    await this.linkAccount(requestId, subject);
    const order = erasureOrder(this.dataMap);
    const accounts = order.find((t) => t.name === ACCOUNTS_TABLE);
    const counts: Record<string, number> = {};
    const kept: Kept[] = [];
    const step = async (index: number, table: MappedTable) => {
      await context.progress({ done: index, total: order.length + 1, stage: table.name });
      const done = await this.eraseTable(table, run);
      if (!done) return;
      counts[table.name] = done.count;
      kept.push(...done.kept);
    };
    for (const [index, table] of order.entries()) if (table !== accounts) await step(index, table);
    kept.push(...(await this.keptForDuty(run)));
    await context.progress({ done: order.length, total: order.length + 1, stage: 'audit_events' });
    const trail = await this.shredTrail(run);
    Object.assign(counts, trail.counts);
    kept.push(...trail.kept);
    if (accounts) await step(order.length, accounts);
    const notes = (counts.users ?? 0) > 0 ? [IDENTITY_PROVIDER_NOTE] : [];
    return { counts, kept, ...(notes.length ? { notes } : {}) };
  }

  /** Erases the subject's rows of one table; null when the table cannot hold this subject's rows. */
  private async eraseTable(table: MappedTable, run: Run): Promise<{ count: number; kept: Kept[] } | null> {
    const where = subjectWhere(table, run.subject, run.types);
    if (!where) return null;
    run.context.signal.throwIfAborted();
    const own =
      table.name === REQUESTS_TABLE
        ? sql.fragment`t.id IS DISTINCT FROM ${run.requestId}::uuid`
        : sql.fragment`TRUE`;
    const holds = holdsOn(table, run.holds);
    const count = await this.eraseRows(table, sql.fragment`${where} AND ${own}`, holds, run);
    const kept = await this.heldRows(table, where, holds, run.subject);
    const reason = table.reason ?? table.columns.find((c) => c.keptBecause)?.keptBecause;
    if (
      table.erasure === 'anonymise' &&
      reason &&
      (await countRows(this.db.pool, { table: table.name, where })) > 0
    ) {
      kept.push({ table: table.name, reason: clip(reason) });
    }
    if (table.name === REQUESTS_TABLE) kept.push({ table: table.name, reason: OWN_REQUEST_REASON });
    return { count, kept };
  }

  /** Tables the data map keeps for a legal duty, where the subject has rows, with the duty. */
  private async keptForDuty(run: Run): Promise<Kept[]> {
    const kept: Kept[] = [];
    for (const table of this.dataMap.subjectTables().filter((t) => t.erasure === 'keep')) {
      const where = subjectWhere(table, run.subject, run.types);
      if (where && (await countRows(this.db.pool, { table: table.name, where })) > 0) {
        kept.push({ table: table.name, reason: clip(table.reason ?? 'Kept for a legal duty.') });
      }
    }
    return kept;
  }

  /** Records the (first) account on the request, where it names only the patient. */
  private async linkAccount(requestId: string, subject: Subject): Promise<void> {
    const [account] = subject.userIds;
    if (!account) return;
    await this.db.pool.query(sql.unsafe`
      UPDATE privacy_requests SET subject_user_id = ${account}, version = version + 1, updated_at = now()
      WHERE id = ${requestId} AND tenant_id = ${subject.tenantId} AND subject_user_id IS NULL`);
  }

  /** Deletes or anonymises the subject's un-held rows, batch by batch; returns how many. */
  private async eraseRows(
    table: MappedTable,
    where: FragmentSqlToken,
    holds: readonly ActiveHold[],
    run: Run,
  ): Promise<number> {
    const key = await tableKey(this.db.pool, table.name);
    const todo = table.erasure === 'anonymise' ? notYetAnonymised(table, 't') : sql.fragment`TRUE`;
    const pending = sql.fragment`${where} AND NOT ${heldWhere(holds, table, run.subject.tenantId)} AND ${todo}`;
    const target = sql.identifier([table.name]);
    let cursor: readonly string[] | null = null;
    let total = 0;
    for (;;) {
      run.context.signal.throwIfAborted();
      // The key of the batch's last row: the batch is every pending row after the cursor up to it.
      const boundary: readonly string[] | null = await this.db.pool.maybeOneFirst(sql.type(boundaryRow)`
        SELECT ${keyAsCursor(key, 't')} AS last FROM ${target} t
        WHERE ${pending} AND ${afterCursor(key, 't', cursor)}
        ORDER BY ${keyOrder(key, 't')} OFFSET ${this.batchSize - 1} LIMIT 1`);
      const upTo = boundary
        ? sql.fragment`${keyTuple(key, 't')} <= (${sql.join(
            boundary.map((v) => sql.fragment`${v}`),
            sql.fragment`, `,
          )})`
        : sql.fragment`TRUE`;
      const batch = sql.fragment`${pending} AND ${afterCursor(key, 't', cursor)} AND ${upTo}`;
      const done = await this.db.transaction(async (tx) => {
        // A hold placed while the erasure runs must win: take the holds lock (as retention does) and
        // give up this attempt if the holds changed since the run read them; the job's retry plans
        // again with the new hold.
        await lockHoldsForDeletion(tx);
        if (!sameHolds(await activeHolds(tx, run.subject), run.holds)) throw new HoldsChanged();
        const result = await tx.query(
          table.erasure === 'delete'
            ? sql.unsafe`DELETE FROM ${target} AS t WHERE ${batch}`
            : sql.unsafe`UPDATE ${target} AS t SET ${anonymiseSet(table, 't')} WHERE ${batch}`,
        );
        if (result.rowCount > 0) await this.recordErased(tx, table, result.rowCount, run);
        return result;
      });
      total += done.rowCount;
      if (!boundary) return total;
      cursor = boundary;
    }
  }

  /** The batch's counts-only event, in the batch's transaction (no change without its record). */
  private recordErased(tx: Queryable, table: MappedTable, rows: number, run: Run): Promise<void> {
    const [about] = subjectRecords(run.subject);
    return this.recorder.record(tx, 'system', {
      type: 'privacy.data_erased',
      resource: { type: 'PrivacyRequest', id: run.requestId, tenantId: run.subject.tenantId },
      subject: about ?? null,
      payload: { table: table.name, action: table.erasure === 'delete' ? 'delete' : 'anonymise', rows },
    });
  }

  /** One entry per hold that kept some of the subject's rows of the table. */
  private async heldRows(
    table: MappedTable,
    where: FragmentSqlToken,
    holds: readonly ActiveHold[],
    subject: Subject,
  ): Promise<Kept[]> {
    const kept: Kept[] = [];
    for (const hold of holds) {
      const held = sql.fragment`${where} AND ${heldBy(hold, table, subject.tenantId)}`;
      if ((await countRows(this.db.pool, { table: table.name, where: held })) > 0) {
        kept.push({ table: table.name, reason: HOLD_REASON, holdId: hold.id });
      }
    }
    return kept;
  }

  /**
   * Destroys the subject's audit keys (one per record: patient, account), each with its receipt,
   * unless a hold covers the trail. A key already destroyed is left alone, so a rerun adds no receipt.
   */
  private async shredTrail(run: Run): Promise<{ counts: Record<string, number>; kept: Kept[] }> {
    const trail = this.dataMap.tables.get('audit_events') as MappedTable;
    const records = trailRecords(run.subject);
    const pseudonyms = await Promise.all(records.map((r) => this.vault.pseudonym(r.kind, r.tenantId, r.id)));
    const holding = holdsOn(trail, run.holds).filter((h) => h.scope === 'tenant' || h.scope === 'subject');
    if (holding.length > 0) {
      return {
        counts: {},
        kept: holding.map((h) => ({ table: 'audit_events', reason: HOLD_REASON, holdId: h.id })),
      };
    }
    let destroyed = 0;
    let events = 0;
    for (const [index, record] of records.entries()) {
      const pseudonym = pseudonyms[index] as string;
      const key = await this.db.pool.maybeOne(sql.type(keyRow)`
        SELECT erased_at IS NOT NULL AS erased FROM audit_subject_keys WHERE pseudonym = ${pseudonym}`);
      // A legacy pseudonym is erased only where events were recorded under it.
      if (key?.erased || (record.legacy && !key)) continue;
      const sealed = await this.db.pool.oneFirst(sql.type(z.object({ count: z.number().int() }))`
        SELECT count(*)::int AS count FROM audit_events WHERE subject = ${pseudonym}`);
      // Without a key (no personal data recorded yet) the erasure still leaves a tombstone, so later
      // events about the person are recorded without personal data.
      const { legacy: _, ...about } = record;
      await this.erasure.erase('system', about, `Erasure request ${run.requestId} (GDPR art. 17)`);
      if (key) {
        destroyed += 1;
        events += sealed;
      }
    }
    // Events whose personal data became unreadable now, and keys destroyed now (a rerun: none).
    return { counts: { audit_events: events, audit_subject_keys: destroyed }, kept: [] };
  }
}

/** The audit event's reasons are at most 200 characters. */
function clip(reason: string): string {
  return reason.length <= 200 ? reason : `${reason.slice(0, 199)}…`;
}

/** A legal hold was placed or released while the erasure ran; the job runs again with the new holds. */
export class HoldsChanged extends Error {
  override name = 'HoldsChanged';
  readonly code = 'legal_holds_changed';
}

function sameHolds(now: readonly ActiveHold[], planned: readonly ActiveHold[]): boolean {
  const ids = (holds: readonly ActiveHold[]) =>
    holds
      .map((h) => h.id)
      .sort()
      .join(',');
  return ids(now) === ids(planned);
}
