/**
 * Filing a request while signed in. Who files for whom follows from the policy, not from a role
 * name: a caller allowed to file a request about nobody in particular (a privacy officer, taking a
 * request by phone or letter) files on someone's behalf and may link the subject and confirm their
 * identity; anyone else files about themselves, their account being both the subject and the proof
 * of identity (a signed-in data subject).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Actor } from '../../../core/authz/actor.js';
import { Database } from '../../../core/database/database.js';
import { AppError, type FieldError } from '../../../core/errors/app-error.js';
import { insertWithReference } from './portal-intake.service.js';
import { RequestJournal } from './request-journal.js';
import { RequestJurisdictions } from './request-jurisdictions.js';
import { RequestMails } from './request-mails.js';
import type { CreateRequestBody } from './requests.dto.js';
import { type NewRequest, type PrivacyRequestRecord, RequestsRepository } from './requests.repository.js';

const ON_BEHALF_ONLY = ['subjectPatientId', 'subjectUserId', 'verifyIdentity', 'identityNote'] as const;

@Injectable()
export class RequestFilingService {
  constructor(
    @Inject(Database) private readonly db: Database,
    @Inject(RequestsRepository) private readonly requests: RequestsRepository,
    @Inject(RequestJournal) private readonly journal: RequestJournal,
    @Inject(RequestJurisdictions) private readonly jurisdictions: RequestJurisdictions,
    @Inject(RequestMails) private readonly mails: RequestMails,
  ) {}

  async create(actor: Actor, body: CreateRequestBody): Promise<PrivacyRequestRecord> {
    const tenantId = actor.tenantFor(undefined);
    await this.checkPortalTenant(body.tenantSlug, tenantId);
    const { jurisdiction, rule } = this.jurisdictions.forFiling(body.jurisdiction, body.type);
    const receivedAt = new Date();
    const now = receivedAt.toISOString();
    const timeZone = body.timeZone ?? 'UTC';
    const common = {
      tenantId,
      type: body.type,
      jurisdiction: jurisdiction.id,
      receivedAt: now,
      dueAt: this.jurisdictions.dueAt(receivedAt, timeZone, rule),
      contactEmail: body.email ?? null,
      locale: body.locale ?? 'en',
      timeZone,
      subjectReference: body.subjectReference ?? null,
      details: body.details ?? null,
      rectification: body.rectification ?? null,
      objectionPurposes: body.objectionPurposes ?? [],
      createdBy: actor.principal.userId,
    };
    const onBehalf = actor.can('create', 'PrivacyRequest', {
      ...common,
      subjectUserId: null,
      subjectPatientId: null,
    });
    let request: Omit<NewRequest, 'reference'>;
    if (onBehalf) {
      const verified = body.verifyIdentity === true;
      request = {
        ...common,
        status: verified ? 'identity-verified' : 'received',
        subjectPatientId: body.subjectPatientId ?? null,
        subjectUserId: body.subjectUserId ?? null,
        identityMethod: verified ? 'officer' : null,
        identityVerifiedAt: verified ? now : null,
        identityNote: verified ? (body.identityNote ?? null) : null,
      };
    } else {
      const misplaced: FieldError[] = ON_BEHALF_ONLY.filter((field) => body[field] !== undefined).map(
        (field) => ({
          location: 'body',
          path: field,
          message: 'Only for requests filed on someone else’s behalf; yours is about your own account',
          code: 'unrecognized_keys',
        }),
      );
      if (misplaced.length > 0) throw AppError.validation(misplaced);
      request = {
        ...common,
        status: 'identity-verified',
        subjectUserId: actor.principal.userId,
        subjectPatientId: actor.principal.subjectPatientId,
        identityMethod: 'signed-in',
        identityVerifiedAt: now,
        identityNote: null,
      };
    }
    actor.assert('create', 'PrivacyRequest', request);
    return this.db.transaction(async (tx) => {
      const created = await insertWithReference(this.requests, request, tx);
      await this.journal.record(tx, actor, created, {
        type: 'privacy.request_filed',
        event: 'filed',
        payload: {
          requestType: created.type,
          jurisdiction: created.jurisdiction,
          dueAt: created.dueAt,
          identityMethod: created.identityMethod,
        },
        personal: {
          contactEmail: created.contactEmail,
          subjectReference: created.subjectReference,
          details: created.details,
          rectification: created.rectification,
          identityNote: created.identityNote,
        },
      });
      if (created.contactEmail) await this.mails.enqueue(tx, created, 'received');
      return created;
    });
  }

  /** A request filed on a tenant's portal belongs to that tenant: never silently to another one. */
  private async checkPortalTenant(slug: string | undefined, tenantId: string): Promise<void> {
    if (slug === undefined) return;
    const tenant = await this.requests.tenantBySlug(slug);
    if (tenant?.id === tenantId) return;
    throw new AppError('invalid_reference', {
      detail:
        'This portal belongs to another organisation than your account; file the request on its own portal.',
      errors: [
        { location: 'body', path: 'tenantSlug', message: 'Not your organisation', code: 'invalid_reference' },
      ],
    });
  }
}
