import { Inject, Injectable } from '@nestjs/common';
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
    return this.db.transaction((tx) => this.tenants.insert(body, tx));
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateTenantBody): Promise<Tenant> {
    return this.db.transaction(async (tx) => {
      const tenant = await actor.load('update', 'Tenant', (access) => this.tenants.findOne(id, access, tx));
      return updateVersioned('Tenant', tenant, expectedVersion, () =>
        this.tenants.update(id, expectedVersion, change, tx),
      );
    });
  }
}
