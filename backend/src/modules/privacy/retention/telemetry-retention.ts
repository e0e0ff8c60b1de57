/**
 * Telemetry retention (the drop-partitions schedules): a whole expired day goes by dropping its
 * partition, in milliseconds and tens of KB of WAL, when no row of it must stay: none is younger than
 * its tenant's period, none is kept by a legal hold, and (for a run over one tenant) none belongs to
 * another tenant. Otherwise the day's removable rows go in batches of RETENTION_BATCH_SIZE, each its
 * own short transaction, and the rest stays for a later run. The same decisions make a dry run's
 * report: it only counts.
 */
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import type { Queryable } from '../../../core/database/database.js';
import { lockHoldsForDeletion } from '../holds/hold-lock.js';
import {
  type ActiveHold,
  anyHoldReaches,
  heldPredicate,
  holdsCovering,
  holdsThatKeep,
  loadActiveHolds,
} from './held-rows.js';
import { type CountRow, countRow, type RetentionContext } from './retention-context.js';
import {
  candidateDays,
  dayEnd,
  dayStart,
  latestCutoff,
  partitionDay,
  partitionName,
  type SchedulePlan,
  wholeDayExpired,
} from './retention-plan.js';
import type { PartitionOutcome } from './retention-report.js';
import {
  all,
  expired,
  inScope,
  lockUnit,
  notHeld,
  retentionTransaction,
  scheduleRows,
  TRUE,
} from './retention-sql.js';
import { type TableLink, tableLink } from './table-links.js';

type PerTenant = Map<string | null, { rows: number; held: number }>;

export class TelemetryRetention {
  private readonly link: TableLink;
  private readonly categories: Set<string>;

  constructor(
    private readonly ctx: RetentionContext,
    private readonly plans: readonly SchedulePlan[],
  ) {
    this.link = tableLink(ctx.dataMap, 'telemetry');
    this.categories = new Set([...this.link.categories, ...plans.map((p) => p.schedule.category)]);
  }

  /** Units of work, oldest day first. */
  async units(db: Queryable): Promise<string[]> {
    const names = await db.anyFirst(sql.type(z.object({ name: z.string() }))`
      SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'telemetry'::regclass`);
    const days = names.map(partitionDay).filter((day): day is string => day !== null);
    return candidateDays(days, this.plans, this.ctx.scope).map((day) => `telemetry:${day}`);
  }

  async process(unit: string): Promise<void> {
    const day = unit.slice('telemetry:'.length);
    const started = performance.now();
    if ((await this.tryDrop(unit, day)) !== 'keep') return;
    const perTenant: PerTenant = new Map();
    if (this.ctx.dryRun) await this.countRemovable(day, perTenant);
    else await this.trim(day, perTenant);
    await this.finishKept(unit, day, perTenant, performance.now() - started);
  }

  /** Drops the day when nothing in it must stay; 'keep' when something does. */
  private tryDrop(unit: string, day: string): Promise<'dropped' | 'gone' | 'keep'> {
    const { ctx } = this;
    return retentionTransaction(ctx.db, async (tx) => {
      if (!ctx.dryRun) await this.lock(tx, day);
      const exists = await tx.oneFirst(sql.type(z.object({ found: z.boolean() }))`
        SELECT to_regclass(${partitionName(day)}) IS NOT NULL AS found`);
      if (!exists) {
        this.record(unit, { day, outcome: 'gone', rows: 0, held: 0, ms: 0, tenants: [] });
        if (!ctx.dryRun) await ctx.save(tx);
        return 'gone';
      }
      const holds = await this.holds(tx);
      const surely =
        ctx.scope.tenantId === null &&
        !anyHoldReaches(holds, this.link) &&
        wholeDayExpired(day, this.plans, ctx.scope);
      if (!surely && (await this.keeperExists(tx, day, holds))) return 'keep';
      const groups = await this.count(tx, day, TRUE);
      let ms = 0;
      if (!ctx.dryRun) {
        const begun = performance.now();
        await tx.query(sql.unsafe`SELECT telemetry_drop_partition(${day}::date, ${this.before()}::date)`);
        ms = performance.now() - begun;
      }
      const perTenant: PerTenant = new Map();
      for (const group of groups) {
        this.add(group, { partitions: 1 });
        tally(perTenant, group.tenant_id, group.rows, 0);
      }
      this.record(unit, { day, outcome: 'dropped', ...sums(perTenant), ms, tenants: entries(perTenant) });
      if (!ctx.dryRun) await ctx.save(tx);
      return 'dropped';
    });
  }

  /** Deletes the day's removable rows, batch by batch, each batch with its count in one transaction. */
  private async trim(day: string, perTenant: PerTenant): Promise<void> {
    const { ctx } = this;
    for (;;) {
      const removed = await retentionTransaction(ctx.db, async (tx) => {
        await this.lock(tx, day);
        const removable = this.removable(await this.holds(tx));
        const groups = await tx.any(sql.type(countRow)`
          WITH gone AS (
            DELETE FROM telemetry AS t
            WHERE ${this.range(day)} AND (t.device_id, t.measured_at, t.seq) IN (
              SELECT t.device_id, t.measured_at, t.seq FROM telemetry t
              WHERE ${this.range(day)} AND ${removable} LIMIT ${ctx.batchSize})
            RETURNING t.*)
          SELECT t.tenant_id, ${this.scheduleOf()} AS schedule, count(*) AS rows,
                 min(t.measured_at) AS first, max(t.measured_at) AS last
          FROM gone t GROUP BY 1, 2`);
        for (const group of groups) {
          this.add(group, {});
          tally(perTenant, group.tenant_id, group.rows, 0);
        }
        await ctx.save(tx);
        return groups.reduce((n, g) => n + g.rows, 0);
      });
      if (removed < ctx.batchSize) return;
      await ctx.heartbeat(`telemetry:${day}`);
    }
  }

  /** A dry run's trim: what the batches would remove. */
  private async countRemovable(day: string, perTenant: PerTenant): Promise<void> {
    await retentionTransaction(this.ctx.db, async (tx) => {
      for (const group of await this.count(tx, day, this.removable(await this.holds(tx)))) {
        this.add(group, {});
        tally(perTenant, group.tenant_id, group.rows, 0);
      }
    });
  }

  /** Counts what holds kept back in the day and which holds did, then closes the unit. */
  private async finishKept(unit: string, day: string, perTenant: PerTenant, ms: number): Promise<void> {
    const { ctx } = this;
    await retentionTransaction(ctx.db, async (tx) => {
      const holds = await this.holds(tx);
      const held = heldPredicate(holds, this.link);
      const past = all(inScope(this.link, ctx.scope), this.expiredAny());
      const groups = await this.count(tx, day, all(past, held));
      for (const group of groups) {
        this.ctx.ledger.add(group.tenant_id, group.schedule, { held: group.rows });
        tally(perTenant, group.tenant_id, 0, group.rows);
      }
      if (groups.length > 0) {
        for (const hold of await holdsThatKeep(tx, this.link, all(this.range(day), past), holds)) {
          ctx.ledger.addHold(hold.tenantId, hold.id);
        }
      }
      const { rows, held: kept } = sums(perTenant);
      const outcome = rows > 0 ? 'trimmed' : 'kept';
      this.record(unit, { day, outcome, rows, held: kept, ms, tenants: entries(perTenant) });
      await ctx.save(tx);
    });
  }

  private async lock(tx: Queryable, day: string): Promise<void> {
    await lockUnit(tx, partitionName(day));
    await lockHoldsForDeletion(tx);
  }

  private async holds(db: Queryable): Promise<ActiveHold[]> {
    return holdsCovering(await loadActiveHolds(db, this.ctx.scope.tenantId), this.categories);
  }

  private keeperExists(db: Queryable, day: string, holds: ActiveHold[]): Promise<boolean> {
    return db.oneFirst(sql.type(z.object({ found: z.boolean() }))`
      SELECT EXISTS (SELECT 1 FROM telemetry t
                     WHERE ${this.range(day)} AND (${this.removable(holds)}) IS NOT TRUE) AS found`);
  }

  private count(db: Queryable, day: string, where: FragmentSqlToken): Promise<readonly CountRow[]> {
    return db.any(sql.type(countRow)`
      SELECT t.tenant_id, ${this.scheduleOf()} AS schedule, count(*) AS rows,
             min(t.measured_at) AS first, max(t.measured_at) AS last
      FROM telemetry t WHERE ${this.range(day)} AND ${where} GROUP BY 1, 2`);
  }

  private removable(holds: ActiveHold[]) {
    return all(
      inScope(this.link, this.ctx.scope),
      this.expiredAny(),
      notHeld(heldPredicate(holds, this.link)),
    );
  }

  /** Expired under the schedule each row falls under (operational or health telemetry). */
  private expiredAny() {
    const each = this.plans.map((plan) => all(scheduleRows(plan.schedule), expired(plan, this.link)));
    return sql.fragment`(${sql.join(each, sql.fragment` OR `)})`;
  }

  private scheduleOf() {
    const cases = this.plans.map(
      (plan) => sql.fragment`WHEN ${scheduleRows(plan.schedule)} THEN ${plan.schedule.id}::text`,
    );
    return sql.fragment`(CASE ${sql.join(cases, sql.fragment` `)} END)`;
  }

  private range(day: string) {
    return sql.fragment`t.measured_at >= ${dayStart(day)}::timestamptz AND t.measured_at < ${dayEnd(day)}::timestamptz`;
  }

  /** The drop function refuses days on or after this date: the latest cutoff in the run's scope. */
  private before(): string {
    return (latestCutoff(this.plans, this.ctx.scope) as string).slice(0, 10);
  }

  private add(group: CountRow, extra: { partitions?: number }): void {
    this.ctx.ledger.add(group.tenant_id, group.schedule, {
      rows: group.rows,
      from: group.first,
      to: group.last,
      ...extra,
    });
  }

  private record(unit: string, outcome: PartitionOutcome): void {
    this.ctx.ledger.addPartition(outcome);
    this.ctx.ledger.done(unit);
  }
}

function tally(perTenant: PerTenant, tenantId: string | null, rows: number, held: number): void {
  const entry = perTenant.get(tenantId) ?? { rows: 0, held: 0 };
  entry.rows += rows;
  entry.held += held;
  perTenant.set(tenantId, entry);
}

const sums = (perTenant: PerTenant) =>
  [...perTenant.values()].reduce((a, b) => ({ rows: a.rows + b.rows, held: a.held + b.held }), {
    rows: 0,
    held: 0,
  });

/** Per tenant, in a stable order (the order batches found them in is not). */
const entries = (perTenant: PerTenant) =>
  [...perTenant]
    .map(([tenantId, counts]) => ({ tenantId, ...counts }))
    .sort((a, b) => (a.tenantId ?? '~').localeCompare(b.tenantId ?? '~'));
