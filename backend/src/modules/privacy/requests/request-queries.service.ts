/**
 * Reading requests while signed in: the officer's queue (filtered in SQL by the same policy that
 * decides single reads), one request with its history, job and result, and the result's download.
 * The requests hold requesters' own words and contact details, so reading them is recorded.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder } from '../../../core/audit/audit-recorder.js';
import type { Actor } from '../../../core/authz/actor.js';
import { AppError } from '../../../core/errors/app-error.js';
import { decodeCursor } from '../../../core/http/pagination.js';
import { requestResource, subjectOf } from './request-journal.js';
import { officerView, outcomeFile, RequestViews } from './request-views.js';
import type { ListRequestsQuery } from './requests.dto.js';
import { type PrivacyRequestRecord, RequestsRepository } from './requests.repository.js';

@Injectable()
export class RequestQueriesService {
  constructor(
    @Inject(RequestsRepository) private readonly requests: RequestsRepository,
    @Inject(RequestViews) private readonly views: RequestViews,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async list(actor: Actor, query: ListRequestsQuery) {
    const page = await this.requests.list(
      actor.condition('read', 'PrivacyRequest'),
      query,
      decodeCursor(query.cursor, query.sort),
    );
    if (page.items.length > 0) {
      const ids = page.items.map((r) => r.id);
      await this.audit.recordDurably(actor, {
        type: 'privacy.request_read',
        resource: requestResource({
          id: ids.length === 1 ? (ids[0] as string) : null,
          tenantId: actor.principal.tenantId,
        }),
        payload: { ids, count: ids.length },
      });
    }
    return { items: page.items.map((r) => officerView(actor, r)), nextCursor: page.nextCursor };
  }

  async get(actor: Actor, id: string) {
    const request = await this.load(actor, id);
    await this.recordRead(actor, request);
    return {
      request,
      view: {
        ...officerView(actor, request),
        history: await this.views.historyOf(request),
        job: await this.requests.latestJob(request.id),
        result: await this.views.result(request),
      },
    };
  }

  async result(actor: Actor, id: string) {
    // Export, not read: compliance officers and auditors see a request but not the subject's data.
    const request = await this.load(actor, id, 'export');
    const file = outcomeFile(request);
    const info = file ? await this.views.result(request) : null;
    if (!file || !info?.available) throw AppError.notFound('Result');
    await this.audit.recordDurably(actor, {
      type: 'privacy.result_downloaded',
      resource: requestResource(request),
      subject: subjectOf(request),
      payload: { ids: [request.id], count: 1 },
    });
    return { file, bytes: info.bytes, stream: this.views.fileStream(request) };
  }

  private load(actor: Actor, id: string, action: 'read' | 'export' = 'read'): Promise<PrivacyRequestRecord> {
    return actor.load(action, 'PrivacyRequest', (access) => this.requests.findOne(id, access));
  }

  private recordRead(actor: Actor, request: PrivacyRequestRecord) {
    return this.audit.recordDurably(actor, {
      type: 'privacy.request_read',
      resource: requestResource(request),
      subject: subjectOf(request),
      payload: { ids: [request.id], count: 1 },
    });
  }
}
