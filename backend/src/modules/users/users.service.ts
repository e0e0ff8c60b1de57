import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '../../core/authz/actor.js';
import { Database } from '../../core/database/database.js';
import { assertVersion, versionConflict } from '../../core/http/etag.js';
import { decodeCursor, type Page } from '../../core/http/pagination.js';
import type { ListUsersQuery, UpdateUserBody, User } from './users.dto.js';
import { UsersRepository } from './users.repository.js';

@Injectable()
export class UsersService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(UsersRepository) private readonly users: UsersRepository,
  ) {}

  async list(actor: Actor, query: ListUsersQuery): Promise<Page<Partial<User>>> {
    const page = await this.users.list(
      actor.condition('read', 'User'),
      query,
      decodeCursor(query.cursor, query.sort),
    );
    return { items: page.items.map((u) => actor.visible('User', u)), nextCursor: page.nextCursor };
  }

  get(actor: Actor, id: string): Promise<User> {
    return actor.load('read', 'User', (access) => this.users.findOne(id, access));
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateUserBody): Promise<User> {
    return this.db.transaction(async (tx) => {
      const user = await actor.load('update', 'User', (access) => this.users.findOne(id, access, tx));
      assertVersion('User', user.version, expectedVersion);
      const updated = await this.users.update(id, expectedVersion, change, tx);
      if (!updated) throw versionConflict('User', user.version);
      return updated;
    });
  }
}
