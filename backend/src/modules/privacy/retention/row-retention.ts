/**
 * Retention of ordinary tables, one schedule at a time: `delete` removes expired rows and
 * `anonymise` overwrites their personal columns with the data map's anonymise values, both in
 * batches of RETENTION_BATCH_SIZE rows (each batch its own short transaction), sparing rows a
 * legal hold keeps. `review` never removes
 * anything: the report says how many rows are past the documented period.
 */
import type { MappedColumn } from '@custos/policies';
import { type FragmentSqlToken, sql } from 'slonik';
import type { Queryable } from '../../../core/database/database.js';
import { lockHoldsForDeletion } from '../holds/hold-lock.js';
import {
  type ActiveHold,
  heldPredicate,
  holdsCovering,
  holdsThatKeep,
  loadActiveHolds,
} from './held-rows.js';
import { countRow, type RetentionContext } from './retention-context.js';
import type { SchedulePlan } from './retention-plan.js';
import {
  all,
  column,
  expired,
  inScope,
  lockUnit,
  notHeld,
  retentionTransaction,
  scheduleRows,
  TRUE,
} from './retention-sql.js';
import { type TableLink, tableLink } from './table-links.js';

export class RowRetention {
  private readonly link: TableLink;
  private readonly categories: Set<string>;
  private readonly table: FragmentSqlToken;

  constructor(
    private readonly ctx: RetentionContext,
    private readonly plan: SchedulePlan,
  ) {
    this.link = tableLink(ctx.dataMap, plan.schedule.table);
    this.categories = new Set([...this.link.categories, plan.schedule.category]);
    this.table = sql.fragment`${sql.identifier([plan.schedule.table])}`;
  }

  get unit(): string {
    return `schedule:${this.plan.schedule.id}`;
  }

  async process(): Promise<void> {
    const { ctx, plan } = this;
    // Data of no tenant (finished jobs) is the platform's: a run over one tenant leaves it alone.
    if (ctx.scope.tenantId !== null && !this.link.tenant) return this.close(async () => undefined);
    if (plan.schedule.action === 'review') {
      return this.close(async (tx) => {
        for (const group of await this.count(tx, this.past())) {
          ctx.ledger.add(group.tenant_id, plan.schedule.id, { pastPeriod: group.rows });
        }
      });
    }
    if (!ctx.dryRun) await this.batches();
    return this.close(async (tx) => {
      const holds = await this.holds(tx);
      // A dry run counts what the batches would remove, with the same predicate.
      if (ctx.dryRun) for (const group of await this.count(tx, this.removable(holds))) this.add(group);
      await this.countHeld(tx, holds);
    });
  }

  private async batches(): Promise<void> {
    const { ctx } = this;
    for (;;) {
      const removed = await retentionTransaction(ctx.db, async (tx) => {
        await lockUnit(tx, `retention:${this.plan.schedule.id}`);
        await lockHoldsForDeletion(tx);
        // No FOR UPDATE: the role may delete rows it may not update (request files). A row changed
        // meanwhile gets a new ctid and fails the recheck: it waits for the next run, never goes wrongly.
        const batch = sql.fragment`${column('ctid')} = ANY(ARRAY(
          SELECT t.ctid FROM ${this.table} t WHERE ${this.removable(await this.holds(tx))} LIMIT ${ctx.batchSize}))`;
        const change =
          this.plan.schedule.action === 'anonymise'
            ? sql.fragment`UPDATE ${this.table} AS t SET ${this.anonymisedValues()} WHERE ${batch}`
            : sql.fragment`DELETE FROM ${this.table} AS t WHERE ${batch}`;
        const groups = await tx.any(sql.type(countRow)`
          WITH changed AS (${change} RETURNING ${this.tenant()} AS tenant_id, ${column(this.plan.schedule.age)} AS age)
          SELECT tenant_id, ${this.plan.schedule.id}::text AS schedule, count(*) AS rows,
                 min(age) AS first, max(age) AS last
          FROM changed GROUP BY 1`);
        for (const group of groups) this.add(group);
        await ctx.save(tx);
        return groups.reduce((n, g) => n + g.rows, 0);
      });
      if (removed < ctx.batchSize) return;
      await ctx.heartbeat(this.unit);
    }
  }

  /** What holds kept back, and which holds did. */
  private async countHeld(tx: Queryable, holds: ActiveHold[]): Promise<void> {
    if (holds.length === 0) return;
    const pending = all(this.past(), this.notDone());
    const groups = await this.count(tx, all(pending, heldPredicate(holds, this.link)));
    for (const group of groups)
      this.ctx.ledger.add(group.tenant_id, this.plan.schedule.id, { held: group.rows });
    if (groups.length === 0) return;
    for (const hold of await holdsThatKeep(tx, this.link, pending, holds))
      this.ctx.ledger.addHold(hold.tenantId, hold.id);
  }

  /** The unit's last step, its completion and the report in one transaction: a retry never counts twice. */
  private close(last: (tx: Queryable) => Promise<void>): Promise<void> {
    return retentionTransaction(this.ctx.db, async (tx) => {
      await last(tx);
      this.ctx.ledger.done(this.unit);
      await this.ctx.save(tx);
    });
  }

  private async holds(db: Queryable): Promise<ActiveHold[]> {
    return holdsCovering(await loadActiveHolds(db, this.ctx.scope.tenantId), this.categories);
  }

  /** The schedule's rows of the run's tenants, past their period. */
  private past(): FragmentSqlToken {
    return all(
      scheduleRows(this.plan.schedule),
      inScope(this.link, this.ctx.scope),
      expired(this.plan, this.link),
    );
  }

  private removable(holds: ActiveHold[]): FragmentSqlToken {
    return all(this.past(), this.notDone(), notHeld(heldPredicate(holds, this.link)));
  }

  private count(db: Queryable, where: FragmentSqlToken) {
    return db.any(sql.type(countRow)`
      SELECT ${this.tenant()} AS tenant_id, ${this.plan.schedule.id}::text AS schedule, count(*) AS rows,
             min(${column(this.plan.schedule.age)}) AS first, max(${column(this.plan.schedule.age)}) AS last
      FROM ${this.table} t WHERE ${where} GROUP BY 1`);
  }

  private tenant(): FragmentSqlToken {
    return this.link.tenant ?? sql.fragment`NULL::uuid`;
  }

  private add(group: {
    tenant_id: string | null;
    rows: number;
    first: string | null;
    last: string | null;
  }): void {
    this.ctx.ledger.add(group.tenant_id, this.plan.schedule.id, {
      rows: group.rows,
      from: group.first,
      to: group.last,
    });
  }

  /** anonymise: rows not yet anonymised (an erasure may have done it already). */
  private notDone(): FragmentSqlToken {
    if (this.plan.schedule.action !== 'anonymise') return TRUE;
    const same = this.anonymised().map(
      ([name, value]) => sql.fragment`${column(name)} IS NOT DISTINCT FROM ${value}`,
    );
    return sql.fragment`NOT (${sql.join(same, sql.fragment` AND `)})`;
  }

  private anonymisedValues(): FragmentSqlToken {
    const sets = this.anonymised().map(([name, value]) => sql.fragment`${sql.identifier([name])} = ${value}`);
    if (this.link.columns.has('version')) sets.push(sql.fragment`version = t.version + 1`);
    if (this.link.columns.has('updated_at')) sets.push(sql.fragment`updated_at = now()`);
    return sql.fragment`${sql.join(sets, sql.fragment`, `)}`;
  }

  /** Each column the data map anonymises, with the value it writes ({id}: the row's id). */
  private anonymised(): Array<[string, FragmentSqlToken]> {
    const table = this.ctx.dataMap.tables.get(this.plan.schedule.table);
    const columns = (table?.columns ?? []).filter(
      (c): c is MappedColumn & { anonymise: unknown } => c.anonymise !== undefined,
    );
    return columns.map((c) => [c.name, anonymiseValue(c.anonymise as MappedColumn['anonymise'])]);
  }
}

function anonymiseValue(value: MappedColumn['anonymise']): FragmentSqlToken {
  if (value === null || value === undefined) return sql.fragment`NULL`;
  if (typeof value === 'object') return sql.fragment`${JSON.stringify(value)}::jsonb`;
  return value.includes('{id}')
    ? sql.fragment`replace(${value}::text, '{id}', ${column('id')}::text)`
    : sql.fragment`${value}::text`;
}
