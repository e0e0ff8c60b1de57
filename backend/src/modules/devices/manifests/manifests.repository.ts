/** SQL for imported secure-element manifests and the allowlist of chips they form. */
import { Inject, Injectable } from '@nestjs/common';
import { sql } from 'slonik';
import { z } from 'zod';
import { Database, type Queryable } from '../../../core/database/database.js';
import { keysetClauses, toPage } from '../../../core/database/keyset.js';
import type { Cursor, Page } from '../../../core/http/pagination.js';
import type { VerifiedEntry } from './manifest-verification.js';
import { type Manifest, type ManifestEntry, secureElementModels } from './manifests.dto.js';

const manifestRow = z.object({
  id: z.string(),
  tenant_id: z.string(),
  manifest_sha256: z.string(),
  signer_sha256: z.array(z.string()),
  entry_count: z.number(),
  new_entry_count: z.number(),
  imported_at: z.string(),
  imported_by: z.string(),
});
type ManifestRow = z.infer<typeof manifestRow>;

const entryRow = z.object({
  id: z.string(),
  unique_id: z.string(),
  model: z.enum(secureElementModels),
  part_number: z.string(),
  group_id: z.string().nullable(),
  provisioned_at: z.string().nullable(),
  public_key_sha256: z.string(),
  device_id: z.string().nullable(),
  matched_at: z.string().nullable(),
});
type EntryRow = z.infer<typeof entryRow>;

export type StoredManifest = Manifest & { tenantId: string };

function toManifest(row: ManifestRow): StoredManifest {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    sha256: row.manifest_sha256,
    signers: row.signer_sha256,
    entryCount: row.entry_count,
    newEntryCount: row.new_entry_count,
    importedAt: row.imported_at,
    importedBy: row.imported_by,
  };
}

function toEntry(row: EntryRow): ManifestEntry {
  return {
    uniqueId: row.unique_id,
    model: row.model,
    partNumber: row.part_number,
    groupId: row.group_id,
    provisionedAt: row.provisioned_at,
    publicKeySha256: row.public_key_sha256,
    deviceId: row.device_id,
    matchedAt: row.matched_at,
  };
}

/** What the tenant's list already says about a chip or a key of a manifest being imported. */
export interface KnownEntry {
  uniqueId: string;
  publicKeySha256: string;
}

export interface NewManifest {
  tenantId: string;
  sha256: string;
  signers: string[];
  entryCount: number;
  newEntryCount: number;
  importedBy: string;
}

const manifestColumns = sql.fragment`id, tenant_id, manifest_sha256, signer_sha256, entry_count,
  new_entry_count, imported_at, imported_by`;

@Injectable()
export class ManifestsRepository {
  constructor(@Inject(Database) private readonly db: Database) {}

  /** Serialises imports of one tenant, so two uploads of the same file cannot both insert it. */
  async lockTenantImports(tenantId: string, db: Queryable): Promise<void> {
    await db.query(sql.unsafe`
      SELECT pg_advisory_xact_lock(hashtextextended(${`secure_element_manifests:${tenantId}`}, 0))`);
  }

  async findBySha256(tenantId: string, sha256: string, db: Queryable): Promise<StoredManifest | null> {
    const row = await db.maybeOne(sql.type(manifestRow)`
      SELECT ${manifestColumns} FROM secure_element_manifests
      WHERE tenant_id = ${tenantId} AND manifest_sha256 = ${sha256}`);
    return row ? toManifest(row) : null;
  }

  async findOne(tenantId: string, id: string): Promise<StoredManifest | null> {
    const row = await this.db.pool.maybeOne(sql.type(manifestRow)`
      SELECT ${manifestColumns} FROM secure_element_manifests WHERE tenant_id = ${tenantId} AND id = ${id}`);
    return row ? toManifest(row) : null;
  }

  async list(tenantId: string, limit: number, cursor: Cursor | undefined): Promise<Page<StoredManifest>> {
    const keyset = keysetClauses({
      sortColumn: ['m', 'imported_at'],
      sortType: 'timestamptz',
      idColumn: ['m', 'id'],
      order: 'desc',
      cursor,
      limit,
    });
    const rows = await this.db.pool.any(sql.type(manifestRow.extend({ cursor_key: z.string() }))`
      SELECT ${manifestColumns}, ${keyset.cursorKey} FROM secure_element_manifests m
      WHERE m.tenant_id = ${tenantId} AND ${keyset.after}
      ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, limit, 'importedAt', toManifest);
  }

  async listEntries(
    manifestId: string,
    limit: number,
    cursor: Cursor | undefined,
  ): Promise<Page<ManifestEntry>> {
    const keyset = keysetClauses({
      sortColumn: ['e', 'unique_id'],
      sortType: 'text',
      idColumn: ['e', 'id'],
      order: 'asc',
      cursor,
      limit,
    });
    const rows = await this.db.pool.any(sql.type(entryRow.extend({ cursor_key: z.string() }))`
      SELECT e.id, e.unique_id, e.model, e.part_number, e.group_id, e.provisioned_at, e.public_key_sha256,
        e.device_id, e.matched_at, ${keyset.cursorKey}
      FROM secure_element_manifest_entries e
      WHERE e.manifest_id = ${manifestId} AND ${keyset.after}
      ${keyset.orderBy} ${keyset.limit}`);
    return toPage(rows, limit, 'uniqueId', toEntry);
  }

  /** Entries of the tenant's list that share a serial number or a key with the candidates. */
  async findKnown(tenantId: string, entries: readonly VerifiedEntry[], db: Queryable): Promise<KnownEntry[]> {
    const rows = await db.any(sql.type(z.object({ unique_id: z.string(), public_key_sha256: z.string() }))`
      SELECT unique_id, public_key_sha256 FROM secure_element_manifest_entries
      WHERE tenant_id = ${tenantId}
        AND (unique_id = ANY(${sql.array(
          entries.map((e) => e.uniqueId),
          'text',
        )})
          OR public_key_sha256 = ANY(${sql.array(
            entries.map((e) => e.publicKeySha256),
            'text',
          )}))`);
    return rows.map((row) => ({ uniqueId: row.unique_id, publicKeySha256: row.public_key_sha256 }));
  }

  async insertManifest(manifest: NewManifest, db: Queryable): Promise<StoredManifest> {
    const row = await db.one(sql.type(manifestRow)`
      INSERT INTO secure_element_manifests (tenant_id, manifest_sha256, signer_sha256, entry_count,
        new_entry_count, imported_by)
      VALUES (${manifest.tenantId}, ${manifest.sha256}, ${sql.array(manifest.signers, 'text')},
        ${manifest.entryCount}, ${manifest.newEntryCount}, ${manifest.importedBy})
      RETURNING ${manifestColumns}`);
    return toManifest(row);
  }

  /** Adds the entries in one statement (unnested rows: one round trip for thousands of chips). */
  async insertEntries(
    tenantId: string,
    manifestId: string,
    entries: readonly VerifiedEntry[],
    db: Queryable,
  ): Promise<void> {
    if (entries.length === 0) return;
    await db.query(sql.unsafe`
      INSERT INTO secure_element_manifest_entries (tenant_id, manifest_id, unique_id, model, part_number,
        group_id, provisioned_at, public_key_spki, public_key_sha256, signed_entry)
      SELECT ${tenantId}::uuid, ${manifestId}::uuid, * FROM ${sql.unnest(
        entries.map((e) => [
          e.uniqueId,
          e.model,
          e.partNumber,
          e.groupId,
          e.provisionedAt,
          e.publicKeySpki,
          e.publicKeySha256,
          JSON.stringify(e.signed),
        ]),
        ['text', 'text', 'text', 'text', 'timestamptz', 'bytea', 'text', 'jsonb'],
      )}`);
  }

  /** The tenant's entry for a key, locked for the provisioning transaction. */
  async findByKey(
    tenantId: string,
    publicKeySha256: string,
    db: Queryable,
  ): Promise<{ id: string; uniqueId: string; deviceId: string | null } | null> {
    const row = await db.maybeOne(sql.type(
      z.object({ id: z.string(), unique_id: z.string(), device_id: z.string().nullable() }),
    )`
      SELECT id, unique_id, device_id FROM secure_element_manifest_entries
      WHERE tenant_id = ${tenantId} AND public_key_sha256 = ${publicKeySha256}
      FOR UPDATE`);
    return row ? { id: row.id, uniqueId: row.unique_id, deviceId: row.device_id } : null;
  }

  async recordMatch(entryId: string, deviceId: string, db: Queryable): Promise<void> {
    await db.query(sql.unsafe`
      UPDATE secure_element_manifest_entries SET device_id = ${deviceId}, matched_at = now()
      WHERE id = ${entryId} AND device_id IS NULL`);
  }
}
