/**
 * Secure-element manifests: a tenant imports the signed list of chips Microchip provisioned for it
 * (Trust&GO), which becomes the tenant's allowlist of pre-provisioned devices; provisioning a device
 * whose CSR carries a listed key records the match (and can be required to find one).
 *
 * Who may import and read: whoever may provision the tenant's not-yet-provisioned devices
 * (`provision:Device`), since the list decides what provisioning accepts.
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '@custos/audit';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { Actor } from '../../../core/authz/actor.js';
import { APP_CONFIG, type AppConfig } from '../../../core/config/config.js';
import { Database, type Queryable } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { decodeCursor, type Page } from '../../../core/http/pagination.js';
import { ManifestSigners } from './manifest-signers.js';
import { type VerifiedEntry, verifyManifest } from './manifest-verification.js';
import type { ImportManifestBody, ManifestEntry, PageQuery } from './manifests.dto.js';
import { type KnownEntry, ManifestsRepository, type StoredManifest } from './manifests.repository.js';

export interface ImportResult {
  manifest: StoredManifest;
  /** False when the same manifest had been imported before (nothing changed). */
  created: boolean;
}

/** What provisioning learns about a CSR's key: the chip it belongs to, when it is on the list. */
export interface ChipMatch {
  uniqueId: string;
}

@Injectable()
export class ManifestsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(ManifestSigners) private readonly signers: ManifestSigners,
    @Inject(ManifestsRepository) private readonly manifests: ManifestsRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async import(actor: Actor, body: ImportManifestBody): Promise<ImportResult> {
    const tenantId = tenantOf(actor);
    if (this.signers.all.length === 0) {
      throw new AppError('manifest_signer_not_configured', {
        detail:
          'This deployment trusts no manifest signer yet; the platform operator sets MANIFEST_SIGNER_CERTIFICATES_FILE.',
      });
    }
    // Every signature is checked before any database work: a bad manifest costs no lock.
    const entries = await verifyManifest(body, this.signers.all);
    const sha256 = createHash('sha256').update(canonicalJson(body)).digest('hex');
    const signers = [...new Set(entries.map((e) => e.signerSha256))].sort();
    return this.db.transaction(async (tx) => {
      await this.manifests.lockTenantImports(tenantId, tx);
      const existing = await this.manifests.findBySha256(tenantId, sha256, tx);
      if (existing) {
        await this.recordImport(tx, actor, existing, true);
        return { manifest: existing, created: false };
      }
      const added = newEntries(entries, await this.manifests.findKnown(tenantId, entries, tx));
      const manifest = await this.manifests.insertManifest(
        {
          tenantId,
          sha256,
          signers,
          entryCount: entries.length,
          newEntryCount: added.length,
          importedBy: actor.principal.userId,
        },
        tx,
      );
      await this.manifests.insertEntries(tenantId, manifest.id, added, tx);
      await this.recordImport(tx, actor, manifest, false);
      return { manifest, created: true };
    });
  }

  async list(actor: Actor, query: PageQuery): Promise<Page<StoredManifest>> {
    return this.manifests.list(tenantOf(actor), query.limit, decodeCursor(query.cursor, 'importedAt'));
  }

  async get(
    actor: Actor,
    id: string,
    query: PageQuery,
  ): Promise<StoredManifest & { entries: Page<ManifestEntry> }> {
    const manifest = await this.manifests.findOne(tenantOf(actor), id);
    if (!manifest) throw AppError.notFound('DeviceManifest');
    const entries = await this.manifests.listEntries(
      manifest.id,
      query.limit,
      decodeCursor(query.cursor, 'uniqueId'),
    );
    return { ...manifest, entries };
  }

  /**
   * The provisioning hook, inside the provisioning transaction: the chip whose key the CSR carries,
   * if the device's tenant listed it, matched to the device now. A chip already matched to another
   * device is refused (a clone, or one chip registered twice); a key on no list is refused only under
   * PROVISIONING_REQUIRE_MANIFEST.
   */
  async matchForProvisioning(
    device: { id: string; tenantId: string },
    publicKeySha256: string,
    tx: Queryable,
  ): Promise<ChipMatch | null> {
    const entry = await this.manifests.findByKey(device.tenantId, publicKeySha256, tx);
    if (!entry) {
      if (!this.config.PROVISIONING_REQUIRE_MANIFEST) return null;
      throw new AppError('key_not_in_manifest', {
        detail: 'Only chips on an imported secure-element manifest of the tenant may be provisioned.',
        errors: [
          {
            location: 'body',
            path: 'csr',
            message: 'The CSR’s key is on no imported manifest of this tenant',
            code: 'key_not_in_manifest',
          },
        ],
      });
    }
    if (entry.deviceId && entry.deviceId !== device.id) {
      throw new AppError('conflict', {
        detail: 'This chip is already provisioned as another device.',
        errors: [
          {
            location: 'body',
            path: 'csr',
            message: 'The chip of this key is matched to another device',
            code: 'chip_already_matched',
          },
        ],
      });
    }
    if (!entry.deviceId) await this.manifests.recordMatch(entry.id, device.id, tx);
    return { uniqueId: entry.uniqueId };
  }

  private recordImport(tx: Queryable, actor: Actor, manifest: StoredManifest, alreadyImported: boolean) {
    return this.audit.record(tx, actor, {
      type: 'device.manifest_imported',
      resource: { type: 'DeviceManifest', id: manifest.id, tenantId: manifest.tenantId },
      payload: {
        manifestId: manifest.id,
        sha256: manifest.sha256,
        signers: manifest.signers,
        entries: manifest.entryCount,
        added: alreadyImported ? 0 : manifest.newEntryCount,
        alreadyImported,
      },
    });
  }
}

/**
 * The caller's tenant, if they may provision its devices. The candidate is a device of that tenant
 * as it is before provisioning: not in a site, worn by nobody.
 */
function tenantOf(actor: Actor): string {
  const tenantId = actor.principal.tenantId;
  if (!tenantId) throw AppError.forbidden('provision:Device');
  actor.assert('provision', 'Device', {
    tenantId,
    siteId: null,
    patientId: null,
    lifecycleState: 'manufactured',
    dataCategory: 'operational',
  });
  return tenantId;
}

/**
 * The entries the tenant's list does not hold yet. An entry naming a listed chip with another key,
 * or a listed key under another serial number, is a conflict: the lists disagree about a chip.
 */
function newEntries(entries: readonly VerifiedEntry[], known: readonly KnownEntry[]): VerifiedEntry[] {
  const keyOfChip = new Map(known.map((k) => [k.uniqueId, k.publicKeySha256]));
  const chipOfKey = new Map(known.map((k) => [k.publicKeySha256, k.uniqueId]));
  const added: VerifiedEntry[] = [];
  for (const entry of entries) {
    const listedKey = keyOfChip.get(entry.uniqueId);
    const listedChip = chipOfKey.get(entry.publicKeySha256);
    if (listedKey === entry.publicKeySha256 && listedChip === entry.uniqueId) continue;
    if (listedKey !== undefined || listedChip !== undefined) {
      throw new AppError('conflict', {
        detail: `Entry ${entry.index} contradicts the tenant’s list: the chip is listed with another key, or the key under another chip; nothing was imported.`,
        errors: [
          {
            location: 'body',
            path: String(entry.index),
            message: 'Listed before with another key or serial number',
            code: 'manifest_entry_conflict',
          },
        ],
        extensions: { index: entry.index },
      });
    }
    added.push(entry);
  }
  return added;
}
