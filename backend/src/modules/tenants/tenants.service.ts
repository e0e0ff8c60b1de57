import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../core/audit/audit-recorder.js';
import { changeDraft } from '../../core/audit/change-events.js';
import type { Actor } from '../../core/authz/actor.js';
import { Database } from '../../core/database/database.js';
import { updateVersioned } from '../../core/http/etag.js';
import { decodeCursor, type Page } from '../../core/http/pagination.js';
import { presentPage } from '../../core/http/present.js';
import type { CreateTenantBody, ListTenantsQuery, Tenant, UpdateTenantBody } from './tenants.dto.js';
import { TenantsRepository } from './tenants.repository.js';

@Injectable()
export class TenantsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(TenantsRepository) private readonly tenants: TenantsRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async list(actor: Actor, query: ListTenantsQuery): Promise<Page<Partial<Tenant>>> {
    const page = await this.tenants.list(
      actor.condition('read', 'Tenant'),
      query,
      decodeCursor(query.cursor, query.sort),
    );
    return presentPage(actor, 'Tenant', page);
  }

  get(actor: Actor, id: string): Promise<Tenant> {
    return actor.load('read', 'Tenant', (access) => this.tenants.findOne(id, access));
  }

  create(actor: Actor, body: CreateTenantBody): Promise<Tenant> {
    actor.assert('create', 'Tenant', body);
    return this.db.transaction(async (tx) => {
      const created = await this.tenants.insert(body, tx);
      await this.audit.record(tx, actor, changeDraft('tenant.created', 'Tenant', null, created));
      return created;
    });
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateTenantBody): Promise<Tenant> {
    return this.db.transaction(async (tx) => {
      const tenant = await actor.load('update', 'Tenant', (access) => this.tenants.findOne(id, access, tx));
      const updated = await updateVersioned('Tenant', tenant, expectedVersion, () =>
        this.tenants.update(id, expectedVersion, change, tx),
      );
      await this.audit.record(tx, actor, changeDraft('tenant.updated', 'Tenant', tenant, updated));
      return updated;
    });
  }
}
