import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '../../core/authz/actor.js';
import { Database } from '../../core/database/database.js';
import { updateVersioned } from '../../core/http/etag.js';
import { decodeCursor, type Page } from '../../core/http/pagination.js';
import { presentPage } from '../../core/http/present.js';
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
    return presentPage(actor, 'User', page);
  }

  get(actor: Actor, id: string): Promise<User> {
    return actor.load('read', 'User', (access) => this.users.findOne(id, access));
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateUserBody): Promise<User> {
    return this.db.transaction(async (tx) => {
      const user = await actor.load('update', 'User', (access) => this.users.findOne(id, access, tx));
      return updateVersioned('User', user, expectedVersion, () =>
        this.users.update(id, expectedVersion, change, tx),
      );
    });
  }
}
