/**
 * Rectification (GDPR art. 16, HIPAA §164.526): the corrected values are written into every column
 * the data map marks as holding that attribute (`rectify: name|email`), in every row of the subject
 * (where the table's `rectifyRows` allows: answered requests stay as they were answered), all in one
 * transaction, with one `privacy.data_rectified` event per table changed (the values sealed).
 */
import type { DataMap, MappedTable, RectifiableAttribute } from '@custos/policies';
import { type FragmentSqlToken, sql } from 'slonik';
import { z } from 'zod';
import type { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { Database } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import type { FulfilmentOutcome, FulfilmentRequest } from './fulfilment.service.js';
import { countRows } from './row-batches.js';
import { type Subject, subjectRecords } from './subject.js';
import { subjectWhere } from './subject-rows.js';
import { columnTypes } from './table-catalog.js';

/** The portal's contract: the attributes a requester may correct. */
const correctionSchema = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().max(320).optional(),
  })
  .strict()
  .refine((c) => c.name !== undefined || c.email !== undefined, 'Name at least one value to correct');

export type Corrections = Partial<Record<RectifiableAttribute, string>>;

export function parseCorrections(value: unknown): Corrections {
  const parsed = correctionSchema.safeParse(value ?? {});
  if (!parsed.success) {
    throw AppError.validation(
      parsed.error.issues.map((issue) => ({
        location: 'body',
        path: ['rectification', ...issue.path.map(String)].join('.'),
        message: issue.message,
        code: issue.code,
      })),
    );
  }
  return parsed.data;
}

export const IDENTITY_PROVIDER_NOTE =
  'The identity provider holds the authoritative name: correct it there too, or the next sign-in brings the old name back (names come from token claims).';
const ANSWERED_REASON =
  'Answered requests keep the contact address they were answered at (evidence of compliance).';

export async function rectify(
  db: Database,
  recorder: AuditRecorder,
  dataMap: DataMap,
  request: FulfilmentRequest,
  subject: Subject,
): Promise<FulfilmentOutcome> {
  const corrections = parseCorrections(request.rectification);
  const counts: Record<string, number> = {};
  const kept: FulfilmentOutcome['kept'] = [];
  const [about] = subjectRecords(subject);
  const types = await columnTypes(db.pool);
  await db.transaction(async (tx) => {
    for (const table of dataMap.subjectTables()) {
      const columns = table.columns.filter((c) => c.rectify && corrections[c.rectify] !== undefined);
      const where = subjectWhere(table, subject, types);
      if (columns.length === 0 || !where) continue;
      const rows = sql.fragment`${where} AND ${rectifiable(table)}`;
      const values = columns.map((c) => ({
        name: c.name,
        value: corrections[c.rectify as RectifiableAttribute] as string,
      }));
      const changed = await tx.query(sql.unsafe`
        UPDATE ${sql.identifier([table.name])} AS t SET ${setClause(table, values)}
        WHERE ${rows} AND (${sql.join(
          values.map((v) => sql.fragment`${sql.identifier(['t', v.name])} IS DISTINCT FROM ${v.value}`),
          sql.fragment` OR `,
        )})`);
      // The rows that now hold the corrected values, changed by this run or an earlier one.
      counts[table.name] = await countRows(tx, { table: table.name, where: rows });
      if (changed.rowCount > 0) {
        await recorder.record(tx, 'system', {
          type: 'privacy.data_rectified',
          resource: { type: 'PrivacyRequest', id: request.id, tenantId: subject.tenantId },
          subject: about ?? null,
          payload: { table: table.name, columns: values.map((v) => v.name), rows: changed.rowCount },
          personal: Object.fromEntries(
            columns.map((c) => [c.rectify as string, corrections[c.rectify as RectifiableAttribute]]),
          ),
        });
      }
      if (
        table.rectifyRows &&
        (await countRows(tx, {
          table: table.name,
          where: sql.fragment`${where} AND NOT ${rectifiable(table)}`,
        })) > 0
      ) {
        kept.push({ table: table.name, reason: ANSWERED_REASON });
      }
    }
  });
  return { counts, kept, ...(corrections.name !== undefined ? { notes: [IDENTITY_PROVIDER_NOTE] } : {}) };
}

/** Rows the table lets rectification change (all, unless it says `rectifyRows`). */
function rectifiable(table: MappedTable): FragmentSqlToken {
  if (!table.rectifyRows) return sql.fragment`TRUE`;
  const { column, notIn } = table.rectifyRows;
  return sql.fragment`(${sql.identifier(['t', column])} = ANY(${sql.array(notIn, 'text')})) IS NOT TRUE`;
}

function setClause(table: MappedTable, values: Array<{ name: string; value: string }>): FragmentSqlToken {
  const has = (column: string) => table.columns.some((c) => c.name === column);
  const sets = values.map((v) => sql.fragment`${sql.identifier([v.name])} = ${v.value}`);
  if (has('version')) sets.push(sql.fragment`version = t.version + 1`);
  if (has('updated_at')) sets.push(sql.fragment`updated_at = now()`);
  return sql.fragment`${sql.join(sets, sql.fragment`, `)}`;
}
