/**
 * Consent records: the rules for recording consent given or withdrawn (only for purposes that take
 * consent, by the subject themselves through the portal or by staff on their behalf), and the reads
 * that show a subject's history and current state, each audited as a read of personal data.
 */
import { loadPrivacyDeclarations, type ProcessingPurpose } from '@custos/policies';
import { Inject, Injectable } from '@nestjs/common';
import { AuditRecorder, type EventSubject } from '../../../core/audit/audit-recorder.js';
import { readDraft } from '../../../core/audit/change-events.js';
import type { Actor } from '../../../core/authz/actor.js';
import { Database } from '../../../core/database/database.js';
import { AppError } from '../../../core/errors/app-error.js';
import { decodeCursor, type Page } from '../../../core/http/pagination.js';
import { presentPage } from '../../../core/http/present.js';
import {
  type ConsentOverview,
  type ConsentRecord,
  type ConsentSubjectKind,
  type ConsentSubjectView,
  type CreateConsentBody,
  type ListConsentsQuery,
  SUBJECT_HISTORY_LIMIT,
} from './consent.dto.js';
import { ConsentRepository, type NewConsent } from './consent.repository.js';

interface Subject {
  kind: ConsentSubjectKind;
  id: string;
}

const subjectOf = (record: Pick<ConsentRecord, 'patientId' | 'userId'>): Subject | null =>
  record.patientId
    ? { kind: 'patient', id: record.patientId }
    : record.userId
      ? { kind: 'user', id: record.userId }
      : null;

@Injectable()
export class ConsentService {
  private readonly allPurposes: readonly ProcessingPurpose[] = loadPrivacyDeclarations().processing.purposes;
  /** Purposes that run only with consent (policies/privacy/processing.yaml), in declaration order. */
  private readonly purposes = this.allPurposes.filter((p) => p.consent === 'required');

  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(ConsentRepository) private readonly consents: ConsentRepository,
    @Inject(AuditRecorder) private readonly audit: AuditRecorder,
  ) {}

  async record(actor: Actor, body: CreateConsentBody): Promise<ConsentRecord> {
    const subject = this.subjectFor(actor, body);
    const self = this.isSelf(actor, subject);
    const consent: NewConsent = {
      tenantId: actor.principal.tenantId as string,
      patientId: subject.kind === 'patient' ? subject.id : null,
      userId: subject.kind === 'user' ? subject.id : null,
      purpose: body.purpose,
      action: body.action,
      source: body.source ?? (self ? 'portal' : 'officer'),
      evidence: body.evidence ?? null,
      recordedBy: actor.principal.userId,
    };
    // A caller without a tenant fails here (no rule matches a null tenant): 403, not a bad request.
    actor.assert('create', 'ConsentRecord', consent);
    this.checkPurpose(body.purpose);
    // `portal` is the subject's own word; staff recording on someone's behalf must say how they learnt it.
    if (self !== (consent.source === 'portal')) {
      throw invalidConsent(
        'source',
        self
          ? 'Your own consent is recorded with source portal'
          : 'Only the subject records with source portal',
      );
    }
    return this.db.transaction(async (tx) => {
      if (!(await this.consents.subjectExists(consent.tenantId, subject.kind, subject.id, tx))) {
        throw new AppError('invalid_reference', {
          detail: 'No such data subject in your organisation.',
          errors: [
            {
              location: 'body',
              path: subject.kind === 'patient' ? 'patientId' : 'userId',
              message: 'Unknown data subject',
              code: 'invalid_reference',
            },
          ],
        });
      }
      const created = await this.consents.insert(consent, tx);
      await this.audit.record(tx, actor, {
        type: 'privacy.consent_recorded',
        resource: { type: 'ConsentRecord', id: created.id, tenantId: created.tenantId },
        payload: { purpose: created.purpose, action: created.action, source: created.source },
        subject: this.eventSubject(created.tenantId, subject),
        // Evidence may name the person (a signed form's reference): only under their key.
        ...(created.evidence ? { personal: { evidence: created.evidence } } : {}),
      });
      return created;
    });
  }

  async list(actor: Actor, query: ListConsentsQuery): Promise<Page<Partial<ConsentRecord>>> {
    const page = await this.consents.list(
      actor.condition('read', 'ConsentRecord'),
      query,
      decodeCursor(query.cursor, 'recordedAt'),
    );
    const presented = presentPage(actor, 'ConsentRecord', page);
    await this.recordReads(actor, page.items);
    return presented;
  }

  async overview(actor: Actor): Promise<ConsentOverview> {
    const tenantId = actor.principal.tenantId;
    // The overview counts a whole tenant: only for callers who may read every subject's consent there.
    if (!tenantId || !actor.can('read', 'ConsentRecord', { tenantId })) {
      throw AppError.forbidden('read:ConsentRecord');
    }
    const counts = await this.consents.countLatest(actor.condition('read', 'ConsentRecord'), tenantId);
    const ids = [...new Set([...this.purposes.map((p) => p.id), ...counts.map((c) => c.purpose)])];
    const count = (purpose: string, action: string) =>
      counts.find((c) => c.purpose === purpose && c.action === action)?.subjects ?? 0;
    return {
      tenantId,
      generatedAt: new Date().toISOString(),
      purposes: ids.map((purpose) => ({
        purpose,
        name: this.nameOf(purpose),
        given: count(purpose, 'given'),
        withdrawn: count(purpose, 'withdrawn'),
      })),
    };
  }

  async subject(actor: Actor, kind: ConsentSubjectKind, id: string): Promise<ConsentSubjectView> {
    const tenantId = actor.principal.tenantId;
    const access = actor.condition('read', 'ConsentRecord');
    if (!tenantId || access.kind === 'false') throw AppError.forbidden('read:ConsentRecord');
    const probe = {
      tenantId,
      patientId: kind === 'patient' ? id : null,
      userId: kind === 'user' ? id : null,
    };
    // Whether someone else is a data subject here is not revealed to a caller who may not read their consent.
    if (
      !actor.can('read', 'ConsentRecord', probe) ||
      !(await this.consents.subjectExists(tenantId, kind, id, this.db.pool))
    ) {
      throw AppError.notFound('ConsentSubject');
    }
    const [latest, history] = await Promise.all([
      this.consents.latestPerPurpose(access, kind, id),
      this.consents.history(access, kind, id, SUBJECT_HISTORY_LIMIT),
    ]);
    const ids = [...new Set([...this.purposes.map((p) => p.id), ...latest.map((r) => r.purpose)])];
    const current = ids.map((purpose) => {
      const record = latest.find((r) => r.purpose === purpose);
      return {
        purpose,
        name: this.nameOf(purpose),
        state: record?.action ?? ('none' as const),
        since: record?.recordedAt ?? null,
        source: record?.source ?? null,
        recordId: record?.id ?? null,
      };
    });
    await this.audit.recordDurably(
      actor,
      readDraft(
        'privacy.consent_read',
        'ConsentRecord',
        history.map((r) => r.id),
        tenantId,
        this.eventSubject(tenantId, { kind, id }),
      ),
    );
    return { subject: { kind, id }, current, history: history.map((r) => actor.visible('ConsentRecord', r)) };
  }

  /** The named subject, else the caller's own patient record. */
  private subjectFor(actor: Actor, body: CreateConsentBody): Subject {
    if (body.patientId) return { kind: 'patient', id: body.patientId };
    if (body.userId) return { kind: 'user', id: body.userId };
    const own = actor.principal.subjectPatientId;
    if (!own) {
      throw AppError.validation([
        {
          location: 'body',
          path: 'patientId',
          message: 'Required: name the patient or account the consent is about',
          code: 'invalid_type',
        },
      ]);
    }
    return { kind: 'patient', id: own };
  }

  private isSelf(actor: Actor, subject: Subject): boolean {
    const { principal } = actor;
    return subject.kind === 'patient'
      ? subject.id === principal.subjectPatientId
      : subject.id === principal.userId;
  }

  private checkPurpose(purpose: string): void {
    if (!this.purposes.some((p) => p.id === purpose)) {
      throw invalidConsent(
        'purpose',
        `Consent is recorded only for purposes that need it: ${this.purposes.map((p) => p.id).join(', ')}`,
      );
    }
  }

  private nameOf(purpose: string): string | null {
    return this.allPurposes.find((p) => p.id === purpose)?.name ?? null;
  }

  private eventSubject(tenantId: string, subject: Subject): EventSubject {
    return { kind: subject.kind, tenantId, id: subject.id };
  }

  /** Consent records are personal data of their subject: one read event per subject shown. */
  private async recordReads(actor: Actor, records: ConsentRecord[]): Promise<void> {
    const bySubject = new Map<string, { tenantId: string; subject: Subject; ids: string[] }>();
    for (const record of records) {
      const subject = subjectOf(record);
      if (!subject) continue;
      const key = `${subject.kind}:${subject.id}`;
      const entry = bySubject.get(key) ?? { tenantId: record.tenantId, subject, ids: [] };
      entry.ids.push(record.id);
      bySubject.set(key, entry);
    }
    if (bySubject.size === 0) return;
    await this.audit.recordDurably(
      actor,
      ...[...bySubject.values()].map(({ tenantId, subject, ids }) =>
        readDraft(
          'privacy.consent_read',
          'ConsentRecord',
          ids,
          tenantId,
          this.eventSubject(tenantId, subject),
        ),
      ),
    );
  }
}

function invalidConsent(path: string, message: string): AppError {
  return new AppError('invalid_consent', {
    detail: message,
    errors: [{ location: 'body', path, message, code: 'invalid_consent' }],
  });
}
