import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder, type EventSubject } from '../../core/audit/audit-recorder.js';
import { changeDraft, readDraft } from '../../core/audit/change-events.js';
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
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async list(actor: Actor, query: ListUsersQuery): Promise<Page<Partial<User>>> {
    const page = await this.users.list(
      actor.condition('read', 'User'),
      query,
      decodeCursor(query.cursor, query.sort),
    );
    const presented = presentPage(actor, 'User', page);
    await this.recordReads(actor, 'user.listed', presented.items);
    return presented;
  }

  async get(actor: Actor, id: string): Promise<User> {
    const user = await actor.load('read', 'User', (access) => this.users.findOne(id, access));
    await this.recordReads(actor, 'user.read', [user]);
    return user;
  }

  /** A user record is personal data of that user: one read event per person shown. */
  private async recordReads(actor: Actor, type: 'user.read' | 'user.listed', users: Partial<User>[]) {
    const drafts = users
      .filter((u): u is Partial<User> & { id: string } => typeof u.id === 'string')
      .map((u) => readDraft(type, 'User', [u.id], u.tenantId ?? null, subjectOf(u)));
    if (drafts.length > 0) await this.audit.recordDurably(actor, ...drafts);
  }

  update(actor: Actor, id: string, expectedVersion: number, change: UpdateUserBody): Promise<User> {
    return this.db.transaction(async (tx) => {
      const user = await actor.load('update', 'User', (access) => this.users.findOne(id, access, tx));
      const updated = await updateVersioned('User', user, expectedVersion, () =>
        this.users.update(id, expectedVersion, change, tx),
      );
      await this.audit.record(
        tx,
        actor,
        changeDraft('user.updated', 'User', user, updated, { subject: subjectOf(updated) }),
      );
      return updated;
    });
  }
}

function subjectOf(user: Partial<User> & { id: string }): EventSubject {
  return { kind: 'user', tenantId: user.tenantId ?? null, id: user.id };
}
