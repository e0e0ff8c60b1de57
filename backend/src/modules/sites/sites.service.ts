import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { changeDraft } from '../../core/audit/change-events.js';
import type { Actor } from '../../core/authz/actor.js';
import { Database } from '../../core/database/database.js';
import { updateVersioned } from '../../core/http/etag.js';
import { decodeCursor, type Page } from '../../core/http/pagination.js';
import { presentPage } from '../../core/http/present.js';
import type { CreateSiteBody, ListSitesQuery, Site, UpdateSiteBody } from './sites.dto.js';
import { SitesRepository } from './sites.repository.js';

@Injectable()
export class SitesService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(SitesRepository) private readonly sites: SitesRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async list(actor: Actor, query: ListSitesQuery): Promise<Page<Partial<Site>>> {
    const page = await this.sites.list(
      actor.condition('read', 'Site'),
      query,
      decodeCursor(query.cursor, query.sort),
    );
    return presentPage(actor, 'Site', page);
  }

  get(actor: Actor, id: string): Promise<Site> {
    return actor.load('read', 'Site', (access) => this.sites.findOne(id, access));
  }

  create(actor: Actor, body: CreateSiteBody): Promise<Site> {
    const tenantId = actor.tenantFor(body.tenantId);
    const site = { tenantId, code: body.code, name: body.name, timezone: body.timezone ?? 'UTC' };
    actor.assert('create', 'Site', site);
    return this.db.transaction(async (tx) => {
      const created = await this.sites.insert(site, tx);
      await this.audit.record(tx, actor, changeDraft('site.created', 'Site', null, created));
      return created;
    });
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateSiteBody): Promise<Site> {
    return this.db.transaction(async (tx) => {
      const site = await actor.load('update', 'Site', (access) => this.sites.findOne(id, access, tx));
      const updated = await updateVersioned('Site', site, expectedVersion, () =>
        this.sites.update(id, expectedVersion, change, tx),
      );
      await this.audit.record(tx, actor, changeDraft('site.updated', 'Site', site, updated));
      return updated;
    });
  }
}
