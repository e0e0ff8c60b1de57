/**
 * Retention schedules as they apply to the caller's tenant, and the tenant's own period where a
 * schedule lets the tenant choose one (within the bounds declared in policies/privacy/retention.yaml).
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import { changeDraft } from '../../../core/audit/change-events.js';
import type { Actor } from '../../../core/authz/actor.js';
import { Database } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import type { Page } from '../../../core/http/pagination.js';
import { presentPage } from '../../../core/http/present.js';
import type { RetentionScheduleView } from './retention.dto.js';
import { RetentionSchedulesRepository } from './retention-schedules.repository.js';

@Injectable()
export class RetentionSchedulesService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RetentionSchedulesRepository) private readonly schedules: RetentionSchedulesRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async list(actor: Actor): Promise<Page<Partial<RetentionScheduleView>>> {
    const tenantId = actor.principal.tenantId;
    const items = tenantId
      ? await this.schedules.list(tenantId, actor.condition('read', 'RetentionSchedule'))
      : [];
    return presentPage(actor, 'RetentionSchedule', { items, nextCursor: null });
  }

  setDays(actor: Actor, id: string, days: number): Promise<Partial<RetentionScheduleView>> {
    return this.db.transaction(async (tx) => {
      const tenantId = actor.principal.tenantId;
      const schedule = await actor.load('update', 'RetentionSchedule', async (access) =>
        tenantId ? this.schedules.findOne(id, tenantId, access, tx) : null,
      );
      const bounds = schedule.tenantDays;
      if (!bounds)
        throw invalidDays('This schedule’s period is fixed by law or policy; it cannot be changed');
      if (days < bounds.min || days > bounds.max) {
        throw invalidDays(`Choose between ${bounds.min} and ${bounds.max} days`);
      }
      await this.schedules.setDays(schedule.tenantId, schedule.id, days, actor.principal.userId, tx);
      const updated = (await this.schedules.findOne(
        id,
        schedule.tenantId,
        { kind: 'true' },
        tx,
      )) as RetentionScheduleView;
      await this.audit.record(
        tx,
        actor,
        changeDraft('privacy.retention_changed', 'RetentionSchedule', schedule, updated),
      );
      return actor.visible('RetentionSchedule', updated);
    });
  }
}

const invalidDays = (message: string) =>
  AppError.validation([{ location: 'body', path: 'days', message, code: 'out_of_bounds' }]);
