/**
 * Access (GDPR art. 15, HIPAA §164.524) and portability (art. 20): the subject's data as a zip bundle,
 * streamed into privacy_request_files while it is read. One REPEATABLE READ snapshot covers every
 * read, so the JSON and CSV files, the counts and the manifest describe the same moment even while
 * devices keep sending telemetry. Layout: README.txt, data/<table>.json + .csv per table with rows,
 * audit-trail.json (access only), manifest.json (counts and the SHA-256 of every file).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { SealedData } from '@custos/audit';
import type { PrivacyDeclarations } from '@custos/policies';
import { sql } from 'slonik';
import { z } from 'zod';
import type { SubjectVault } from '../../../core/audit/subject-vault.js';
import type { Database, Queryable } from '../../../core/database/database.js';
import { countEvents, type OpenSealed, type TrailScope, trailBatches } from './audit-trail-export.js';
import { BundleParts, clearParts, storeParts } from './bundle-parts.js';
import { type BundleFile, bundleReadme } from './bundle-readme.js';
import type { FulfilmentContext, FulfilmentOutcome } from './fulfilment.service.js';
import { countRows, type RowSource, rowBatches } from './row-batches.js';
import { type Subject, trailRecords } from './subject.js';
import {
  csvHeader,
  exportedColumns,
  rowCsv,
  rowJson,
  subjectWhere,
  tablesFor,
  tablesLeftOut,
} from './subject-rows.js';
import { columnTypes, tableKey } from './table-catalog.js';
import { type EntryDigest, ZipStream } from './zip-stream.js';

const ROWS_PER_BATCH = 10_000;
const EVENTS_PER_BATCH = 1_000;

const metaRow = z.object({ reference: z.string(), jurisdiction: z.string() });
const settingRow = z.object({ schedule: z.string(), days: z.number().int() });

type ExportType = 'access' | 'portability';

interface Source extends RowSource {
  file: BundleFile;
}

/** Everything the bundle will hold, counted inside the snapshot before a byte is written. */
interface Plan {
  type: ExportType;
  subject: Subject;
  generatedAt: string;
  meta: z.infer<typeof metaRow>;
  types: ReadonlyMap<string, string>;
  sources: Source[];
  /** Access only: whose events audit-trail.json holds, and how many. */
  trail: { scope: TrailScope; events: number } | null;
  /** Access only: the subject's rows in tables the data map leaves out of a copy. */
  leftOut: Array<{ table: string; rows: number }>;
}

/** Calls made outside the snapshot transaction (see `export`). */
interface Outside {
  open: OpenSealed;
  report: FulfilmentContext['progress'];
}

export class BundleExporter {
  constructor(
    private readonly db: Database,
    private readonly vault: SubjectVault,
    private readonly declarations: PrivacyDeclarations,
  ) {}

  async export(
    requestId: string,
    type: ExportType,
    subject: Subject,
    context: FulfilmentContext,
  ): Promise<FulfilmentOutcome> {
    const generatedAt = new Date().toISOString();
    // A run cut short left parts behind; the bundle is always written whole.
    await clearParts(this.db.pool, requestId);
    // Bound here, outside the snapshot: the bundle's parts, the subject's audit keys and the job's
    // progress go through other connections while the snapshot transaction reads (slonik refuses a
    // pool query inside a transaction's scope).
    const store = AsyncLocalStorage.bind(storeParts(this.db.pool, requestId));
    const outside: Outside = {
      open: AsyncLocalStorage.bind((sealed: SealedData) => this.vault.open(sealed)),
      report: AsyncLocalStorage.bind(context.progress),
    };
    return this.db.transaction(async (tx) => {
      await tx.query(sql.unsafe`SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY`);
      const plan = await this.plan(tx, requestId, type, subject, generatedAt);
      const parts = new BundleParts(store);
      const zip = new ZipStream(parts, context.signal, new Date(generatedAt));
      try {
        const counts = await this.write(tx, zip, plan, outside);
        await zip.finish();
        const bundle = parts.result();
        const name = `${plan.meta.reference}-${type}.zip`;
        const notes = plan.leftOut.map(leftOutNote);
        return {
          counts,
          kept: [],
          ...(notes.length ? { notes } : {}),
          file: { name, bytes: bundle.bytes, sha256: bundle.sha256, contentType: 'application/zip' },
        };
      } catch (error) {
        zip.abort(error);
        throw error;
      }
    });
  }

  private async plan(
    tx: Queryable,
    requestId: string,
    type: ExportType,
    subject: Subject,
    generatedAt: string,
  ): Promise<Plan> {
    const meta = await tx.one(sql.type(metaRow)`
      SELECT reference, jurisdiction FROM privacy_requests WHERE id = ${requestId} AND tenant_id = ${subject.tenantId}`);
    const types = await columnTypes(tx);
    const sources: Source[] = [];
    for (const table of tablesFor(this.declarations.dataMap, type)) {
      const where = subjectWhere(table, subject, types);
      if (!where) continue;
      const rows = await countRows(tx, { table: table.name, where });
      sources.push({ table: table.name, where, key: await tableKey(tx, table.name), file: { table, rows } });
    }
    let trail: Plan['trail'] = null;
    if (type === 'access') {
      const records = trailRecords(subject);
      const pseudonyms = await Promise.all(
        records.map((r) => this.vault.pseudonym(r.kind, r.tenantId, r.id)),
      );
      const scope = { pseudonyms, userIds: subject.userIds };
      trail = { scope, events: await countEvents(tx, scope) };
    }
    const leftOut: Plan['leftOut'] = [];
    for (const table of type === 'access' ? tablesLeftOut(this.declarations.dataMap) : []) {
      const where = subjectWhere(table, subject, types);
      const rows = where ? await countRows(tx, { table: table.name, where }) : 0;
      if (rows > 0) leftOut.push({ table: table.name, rows });
    }
    return { type, subject, generatedAt, meta, types, sources, trail, leftOut };
  }

  /** Writes every file of the bundle; returns the counts (rows per table, events of the trail). */
  private async write(
    tx: Queryable,
    zip: ZipStream,
    plan: Plan,
    outside: Outside,
  ): Promise<Record<string, number>> {
    const files: Array<{ name: string } & EntryDigest> = [];
    const add = async (name: string, chunks: AsyncIterable<string> | Iterable<string>) => {
      files.push({ name, ...(await zip.entry(name, chunks)) });
    };
    const rows = plan.sources.reduce((sum, s) => sum + s.file.rows, 0);
    const progress = tracker(outside.report, 2 * rows + (plan.trail?.events ?? 0));

    await add('README.txt', [await this.readme(tx, plan)]);
    for (const source of plan.sources.filter((s) => s.file.rows > 0)) {
      const { table } = source.file;
      const columns = exportedColumns(table);
      const json = rowBatches(tx, source, rowJson(table, columns, plan.types, 'b'), ',\n', ROWS_PER_BATCH);
      await add(
        `data/${table.name}.json`,
        wrap('[\n', json, ',\n', '\n]\n', progress(`data/${table.name}.json`)),
      );
      const csv = rowBatches(tx, source, rowCsv(table, columns, plan.types, 'b'), '\r\n', ROWS_PER_BATCH);
      await add(
        `data/${table.name}.csv`,
        wrap(csvHeader(columns), csv, '\r\n', '\r\n', progress(`data/${table.name}.csv`)),
      );
    }
    if (plan.trail) {
      const events = trailBatches(tx, outside.open, plan.trail.scope, ',\n', EVENTS_PER_BATCH);
      await add('audit-trail.json', wrap('[\n', events, ',\n', '\n]\n', progress('audit-trail.json')));
    }
    const counts = Object.fromEntries(plan.sources.map((s) => [s.table, s.file.rows]));
    if (plan.trail) counts.audit_events = plan.trail.events;
    await add('manifest.json', [`${JSON.stringify(this.manifest(plan, counts, files), null, 2)}\n`]);
    return counts;
  }

  private async readme(tx: Queryable, plan: Plan): Promise<string> {
    const settings = await tx.any(
      sql.type(
        settingRow,
      )`SELECT schedule, days FROM retention_settings WHERE tenant_id = ${plan.subject.tenantId}`,
    );
    const jurisdiction = this.declarations.jurisdictions.find((j) => j.id === plan.meta.jurisdiction);
    return bundleReadme(
      {
        type: plan.type,
        reference: plan.meta.reference,
        generatedAt: plan.generatedAt,
        jurisdiction: jurisdiction
          ? { name: jurisdiction.name, complaintAuthority: jurisdiction.complaintAuthority }
          : null,
        files: plan.sources.map((s) => s.file),
        trailEvents: plan.trail?.events ?? null,
        tenantDays: new Map(settings.map((s) => [s.schedule, s.days])),
      },
      this.declarations,
    );
  }

  private manifest(
    plan: Plan,
    counts: Record<string, number>,
    files: ReadonlyArray<{ name: string } & EntryDigest>,
  ) {
    const { patientIds, userIds } = plan.subject;
    return {
      format: 'custos-subject-data',
      formatVersion: 1,
      reference: plan.meta.reference,
      requestType: plan.type,
      generatedAt: plan.generatedAt,
      subject: { kinds: [...(patientIds.length ? ['patient'] : []), ...(userIds.length ? ['user'] : [])] },
      dataMapVersion: this.declarations.dataMap.version,
      counts,
      files,
    };
  }
}

/** For the officer: what the copy leaves out, for them to decide on (never shown to the requester). */
function leftOutNote({ table, rows }: { table: string; rows: number }): string {
  const them = rows === 1 ? 'it' : 'them';
  return `Not in the copy: ${rows} ${rows === 1 ? 'row' : 'rows'} of ${table}, which the data map leaves out of access requests (see its reason there); decide whether to disclose ${them}.`;
}

/** Reports progress per batch: records written so far of all the bundle's files. */
function tracker(report: FulfilmentContext['progress'], total: number) {
  let done = 0;
  return (stage: string) => async (rows: number) => {
    done += rows;
    await report({ done, total, stage });
  };
}

/** A file's text: `head`, the batches joined by `between`, then `tail`; progress after each batch. */
async function* wrap(
  head: string,
  batches: AsyncIterable<{ rows: number; text: string }>,
  between: string,
  tail: string,
  onBatch: (rows: number) => Promise<void>,
): AsyncGenerator<string> {
  yield head;
  let first = true;
  for await (const batch of batches) {
    if (!first) yield between;
    first = false;
    yield batch.text;
    await onBatch(batch.rows);
  }
  yield tail;
}
