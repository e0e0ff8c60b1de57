import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '../../core/authz/actor.js';
import { Database } from '../../core/database/database.js';
import { assertVersion, versionConflict } from '../../core/http/etag.js';
import { decodeCursor, type Page } from '../../core/http/pagination.js';
import type { CreateTenantBody, ListTenantsQuery, Tenant, UpdateTenantBody } from './tenants.dto.js';
import { TenantsRepository } from './tenants.repository.js';

@Injectable()
export class TenantsService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(TenantsRepository) private readonly tenants: TenantsRepository,
  ) {}

  async list(actor: Actor, query: ListTenantsQuery): Promise<Page<Partial<Tenant>>> {
    const page = await this.tenants.list(
      actor.condition('read', 'Tenant'),
      query,
      decodeCursor(query.cursor, query.sort),
    );
    return { items: page.items.map((t) => actor.visible('Tenant', t)), nextCursor: page.nextCursor };
  }

  get(actor: Actor, id: string): Promise<Tenant> {
    return actor.load('read', 'Tenant', (access) => this.tenants.findOne(id, access));
  }

  create(actor: Actor, body: CreateTenantBody): Promise<Tenant> {
    actor.assert('create', 'Tenant', body);
    return this.db.transaction((tx) => this.tenants.insert(body, tx));
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateTenantBody): Promise<Tenant> {
    return this.db.transaction(async (tx) => {
      const tenant = await actor.load('update', 'Tenant', (access) => this.tenants.findOne(id, access, tx));
      assertVersion('Tenant', tenant.version, expectedVersion);
      const updated = await this.tenants.update(id, expectedVersion, change, tx);
      if (!updated) throw versionConflict('Tenant', tenant.version);
      return updated;
    });
  }
}
